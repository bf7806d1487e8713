"""Components shared by the component tests; none of them needs model storage."""
import pytest

from components.input_guard import InputSanitizer


@pytest.fixture(scope="module")
def sanitizer():
    return InputSanitizer.create({}, None, None, None)
