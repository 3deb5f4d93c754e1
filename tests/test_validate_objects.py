"""Evaluating an identity on an object that merely looks like a tensor (a ``numpy`` method, no ``detach``)
is refused with a DTypeError naming the argument, never an AttributeError (found by the mutation pass of
issue 18: validate's torch test with ``or`` for ``and`` passed the suite)."""

from __future__ import annotations

import pytest

import identities


class LooksLikeATensor:
    def numpy(self):  # e.g. a TensorFlow tensor: validate does not know it
        return [1.0, 2.0]


def test_an_object_with_only_a_numpy_method_is_a_dtype_error():
    ident = identities.get("vector.cTx")  # arguments (c, x)
    with pytest.raises(identities.DTypeError, match=r"vector\.cTx: argument c has entries of type LooksLikeATensor"):
        ident.closed_form(LooksLikeATensor(), [0.5, -1.0])


def test_the_message_names_the_first_entry_that_is_not_a_number():
    with pytest.raises(identities.DTypeError, match="argument c has entries of type NoneType"):
        identities.get("vector.cTx").closed_form([1.0, None], [0.5, -1.0])
