"""Trains the warning-sign detector's second opinion into build/ (content/red_flag_model.py).

.venv/bin/python -m content.build_red_flag_model
"""

from __future__ import annotations

from content.red_flag_model import MODEL_DIR, MODEL_NAME, train, training_set
from content.red_flags import load_detector


def main() -> None:
    # The detector's own reading of a message (spellings corrected, contractions spelt out),
    # without a second opinion, which is what is being trained.
    detector = load_detector(second_opinion=False)
    model = train(detector.normalize, detector.rules.categories)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    model.save(MODEL_DIR, MODEL_NAME)
    print(f"trained on {len(training_set(detector.rules.categories)[0])} messages -> {MODEL_DIR}")


if __name__ == "__main__":
    main()
