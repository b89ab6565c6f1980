"""What any input may hold, wherever it comes from (a form, a query string, a JSON body, a file name, a CSV
header): the rules behind the request guard (``app.web.input_guard``), the form schemas and the services.

- ``text``: characters no text may hold (NUL, lone surrogates, control characters), and those a line may not.
- ``numbers``: numbers that are not numbers (NaN, infinities) or beyond 64 bits; query-string numbers.
- ``dates``: calendar dates within the years a credit file can speak of.
- ``json_body``: a JSON body read with its depth and numbers bounded before Python's parser recurses.
- ``json_columns``: the database's JSON codec: no NaN written; one stored before the guards reads as null.

Each refusal names the field it is about (an ``InvalidInput`` with ``errors = {field: reason}``), so a bad
input is a 4xx the user can act on, never a 500 or a value stored that breaks a page later.
"""
