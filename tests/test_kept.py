"""views/kept.py: answers kept by their arguments, bounded, objects compared by identity, and a
question being answered is waited for instead of asked again."""
import threading
import time

import pytest

from explorer.views.kept import Kept


class Model:  # any object without value equality
    pass


def test_an_answer_is_kept_by_plain_values_and_object_identity():
    kept, calls = Kept(8), []
    m1, m2 = Model(), Model()
    make = lambda v: (lambda: calls.append(v) or v)  # noqa: E731
    assert kept.get((m1, "emma", 1.0), make("a")) == "a"
    assert kept.get((m1, "em" + "ma", 1.0), make("b")) == "a"  # equal text (another str object): kept
    assert kept.get((m2, "emma", 1.0), make("c")) == "c"  # another model: its own answer
    assert kept.get((m1, "emma", 2.0), make("d")) == "d"
    assert calls == ["a", "c", "d"] and kept.computed == 3


def test_the_oldest_answers_go_first_and_the_bound_holds():
    kept = Kept(3)
    for i in range(5):
        kept.get((i,), lambda i=i: i)
    assert len(kept) == 3
    kept.get((2,), lambda: "again")  # 2 was used last: 3 and 4 stay, 2 stays
    kept.get((5,), lambda: 5)
    assert kept.get((2,), lambda: "new") == 2 and kept.get((3,), lambda: "new") == "new"


def test_askers_of_a_question_being_answered_wait_for_it():
    kept, started, results = Kept(4), threading.Event(), []

    def slow():
        started.set()
        time.sleep(0.3)
        return object()

    first = threading.Thread(target=lambda: results.append(kept.get(("q",), slow)))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=lambda: results.append(kept.get(("q",), slow))) for _ in range(3)]
    for th in others:
        th.start()
    for th in [first, *others]:
        th.join()
    assert kept.computed == 1 and len({id(r) for r in results}) == 1


def test_a_failed_answer_is_not_kept_and_each_asker_sees_its_own_error():
    kept, started = Kept(4), threading.Event()
    errors = []

    def fail():
        started.set()
        time.sleep(0.2)
        raise ValueError("first")

    def ask(make):
        try:
            kept.get(("q",), make)
        except ValueError as e:
            errors.append(str(e))

    first = threading.Thread(target=ask, args=(fail,))
    first.start()
    started.wait(5)
    second = threading.Thread(target=ask, args=(lambda: (_ for _ in ()).throw(ValueError("second")),))
    second.start()
    first.join()
    second.join()
    assert sorted(errors) == ["first", "second"] and len(kept) == 0
    assert kept.get(("q",), lambda: 7) == 7
    with pytest.raises(ZeroDivisionError):
        kept.get(("z",), lambda: 1 / 0)


def test_a_forgotten_answer_is_made_again():
    kept = Kept(4)
    kept.get(("q",), lambda: 1)
    kept.forget(("q",))
    kept.forget(("never asked",))  # nothing to drop: no error
    assert kept.get(("q",), lambda: 2) == 2 and kept.computed == 2
