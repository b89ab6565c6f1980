"""The diagram a case page draws is in the reader's language: names, lanes and annotations, ids unchanged."""

from __future__ import annotations

from lxml import etree

from tests import factories

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _labels(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    return {el.get("id"): el.get("name") for el in root.iter() if isinstance(el.tag, str) and el.get("name")}


def test_the_case_diagram_is_served_in_the_readers_language(as_user, people):
    case = factories.case_at("review", people.officer)
    client = as_user("officer")
    english = _labels(client.get(f"/cases/{case.id}/diagram.bpmn").data)
    client.post("/locale/zh_CN")
    chinese = _labels(client.get(f"/cases/{case.id}/diagram.bpmn").data)
    stored = _labels(case.definition.bpmn_xml.encode())
    assert stored["approval_signoff"] == "Sign off / 审批"  # the file keeps both languages
    assert (english["approval_signoff"], chinese["approval_signoff"]) == ("Sign off", "审批")
    assert (english["Lane_officer"], chinese["Lane_officer"]) == ("Credit officer", "客户经理")
    assert set(english) == set(chinese) == set(stored)  # every element, by the same id
    assert not [
        name for name in english.values() if " / " in name and any("\u4e00" <= c <= "\u9fff" for c in name)
    ]
