"""The grades of the master scale (主标尺) that ``rules/credit_rating.dmn`` gives, best first: the one order every page,
figure and check sorts grades by."""

GRADES: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "C")
