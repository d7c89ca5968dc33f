"""The text classifier's own arithmetic gives scikit-learn's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from content.text_model import TextModel

TEXTS = [
    "what does a bone scan show",
    "wat dose the bone scan sho",
    "how do you say hypercalcemia",
    "how do u say metastases",
    "why an mri for my spine",
    "why do they want an MRI next",
    "what is alp",
    "whats alkaline phosphatase for",
]
ASKED = ["", "zzqv", "bone", "how do you say lytic?", "why a PET scan after the CT, is it needed"]


@pytest.mark.parametrize("kinds", [4, 2])
def test_probabilities_are_scikit_learns(kinds, tmp_path):
    labels = [f"label{i // 2 % kinds}" for i in range(len(TEXTS))]
    model = TextModel.fit(TEXTS, labels, c=10.0, seed=1)
    model.save(tmp_path, "m")
    loaded = TextModel.load(tmp_path, "m")
    for trained in (model, loaded):
        assert np.allclose(
            trained.probabilities(ASKED), trained.sklearn_probabilities(ASKED), atol=1e-12
        )
