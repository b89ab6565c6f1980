"""Scoring models over the JSON API: a training as a job polled to its version, the versions listed, a batch
scored in order (missing and unseen values scored, reasons on request), every refusal naming rows[i].column."""

from __future__ import annotations

import io

import pytest

from app.scoring import synthetic
from app.services.admin import users
from app.services.scoring import versions

EN = {"Accept-Language": "en"}


@pytest.fixture
def token(people):
    return lambda username: {**EN, "Authorization": f"Bearer {users.issue_token(username)}"}


@pytest.fixture
def model(people):
    return versions.train_from_file(
        "book.csv", synthetic.book(2500, seed=8).to_csv(index=False).encode(), "defaulted", "1"
    )


def test_a_training_is_a_job_polled_to_its_version(client, token, jobs_here):
    book = synthetic.book(2000, seed=31).to_csv(index=False).encode()
    started = client.post(
        "/api/v1/models/trainings",
        headers=token("risk"),
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(book), "book.csv"),
            "target": "defaulted",
            "bad": "1",
            "algorithm": "gbm",
            "name": "api-gbm",
        },
    )
    assert started.status_code == 202, started.get_json()
    polled = client.get(started.get_json()["progress"], headers=token("risk")).get_json()
    assert polled["status"] == "done" and polled["model_id"]
    listed = client.get("/api/v1/models", headers=token("compliance")).get_json()["models"]
    assert [(m["name"], m["algorithm"], m["n_train"]) for m in listed] == [("api-gbm", "gbm", 1400)]
    refused = client.post(
        "/api/v1/models/trainings",
        headers=token("risk"),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv"), "target": "defaulted", "bad": "1"},
    )
    failed = client.get(refused.get_json()["progress"], headers=token("risk")).get_json()
    assert failed["status"] == "failed" and failed["problems"] == [
        "the target column defaulted is not in the file"
    ]


def test_a_batch_is_scored_in_order_with_reasons_on_request(client, token, model):
    rows = synthetic.book(5, seed=4).drop(columns=["defaulted"]).to_dict(orient="records")
    rows[0]["industry"] = "从未见过的行业"
    rows[1] = {"debt_to_asset": 0.95}  # every other column missing
    answer = client.post(
        f"/api/v1/models/{model.id}/score", headers=token("risk"), json={"rows": rows, "explain": True}
    )
    assert answer.status_code == 200, answer.get_json()
    scores = answer.get_json()["scores"]
    assert len(scores) == 5 and all(0 < s["pd"] < 1 and "points" in s for s in scores)
    assert scores[1]["reasons"] and scores[1]["reasons"][0]["points_lost"] > 0
    alone = client.post(f"/api/v1/models/{model.id}/score", headers=token("risk"), json={"rows": rows[2:3]})
    assert (
        alone.get_json()["scores"][0]["pd"] == scores[2]["pd"]
    )  # a row's score does not depend on the batch


@pytest.mark.parametrize(
    ("rows", "key"),
    [
        ([{"debt_to_asset": 0.4}, {"debt_to_asset": "abc"}], "rows[1].debt_to_asset"),
        ([{"debt_to_asset": True}], "rows[0].debt_to_asset"),
        ([{"debt_to_asset": [1]}], "rows[0].debt_to_asset"),
        ([{"industry": "制造\x00业"}], "rows[0].industry"),
        (["not an object"], "rows[0]"),
        ([], "rows"),
    ],
)
def test_a_bad_row_is_refused_by_row_and_column(client, token, model, rows, key):
    answer = client.post(f"/api/v1/models/{model.id}/score", headers=token("risk"), json={"rows": rows})
    assert answer.status_code == 422 and key in answer.get_json()["errors"], answer.get_json()
    if key == "rows[1].debt_to_asset":  # the message names the same row as the key
        assert answer.get_json()["errors"][key].startswith("row 1, column debt_to_asset: abc is not a number")


def test_reasons_for_too_many_rows_and_other_roles_are_refused(client, token, model):
    many = [{"debt_to_asset": 0.5}] * 101
    answer = client.post(
        f"/api/v1/models/{model.id}/score", headers=token("risk"), json={"rows": many, "explain": True}
    )
    assert answer.status_code == 422 and "explain" in answer.get_json()["errors"]
    answer = client.post(
        f"/api/v1/models/{model.id}/score", headers=token("risk"), json={"rows": [{}], "explain": "yes"}
    )
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"explain": "true or false"}
    assert (
        client.post(
            f"/api/v1/models/{model.id}/score", headers=token("officer"), json={"rows": [{}]}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/models", headers=token("officer")).status_code == 403
