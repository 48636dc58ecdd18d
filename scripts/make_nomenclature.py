"""Write the result table of docs/nomenclature.md from the metric registry (packstudy.metrics).

Usage: python scripts/make_nomenclature.py   (tests/test_metrics.py checks the file agrees)
"""

from pathlib import Path

from packstudy.metrics import with_nomenclature_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "nomenclature.md"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    new = with_nomenclature_table(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
    print(f"{DOC}: {'rewritten' if new != text else 'up to date'}")


if __name__ == "__main__":
    main()
