"""forked.start: a task in a forked child gives its value or raises what it raised."""

import os

import pytest

from packstudy import forked


def _pid_and_sum(a, b):
    return os.getpid(), a + b


def _fail(path):
    raise FileNotFoundError(2, "No such file or directory", path)


def _die():
    os._exit(3)


def test_value_comes_back_from_another_process():
    pid, total = forked.start(_pid_and_sum, 2, 3)()
    assert total == 5
    assert pid != os.getpid()


def test_the_childs_exception_is_raised_here():
    with pytest.raises(FileNotFoundError, match="missing.json"):
        forked.start(_fail, "missing.json")()


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="exit code 3"):
        forked.start(_die)()
