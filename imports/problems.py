"""Problems found in an uploaded file: where (sheet, row, column) and what to do about it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: Problems kept on an import's record and shown on its page. A file with more has the same few
#: mistakes repeated; the count of all of them is still given.
MAX_KEPT = 1000


@dataclass(frozen=True)
class Problem:
    sheet: str = ""
    row: int | None = None
    column: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = " · ".join(part for part in (self.sheet, f"dòng {self.row}" if self.row else "", self.column) if part)
        return f"{where}: {self.message}" if where else self.message


class ProblemList:
    """Collects problems, keeping the first ``MAX_KEPT`` and counting all."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, message: str, *, sheet: str = "", row: int | None = None, column: str = "") -> None:
        self.total += 1
        if len(self.kept) < MAX_KEPT:
            self.kept.append(Problem(sheet=sheet, row=row, column=column, message=str(message)))

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def as_list(self) -> list[dict]:
        return [problem.as_dict() for problem in self.kept]
