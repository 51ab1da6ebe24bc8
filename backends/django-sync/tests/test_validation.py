"""The bad-input rules of SPEC section 1 where Python's json differs from serde_json, and the
precedence 415 > 413 > 400 > 422. Run: .venv/bin/python -m unittest discover -s tests -t ."""

import json
import unittest

from django_notes import errors, validation
from django_notes.validation import MAX_BODY_BYTES, Unread

JSON = "application/json"


def status(body: bytes, content_type: str | None = JSON) -> int:
    try:
        validation.parse_new_note(content_type, lambda: validation.classify(body))
    except errors.ApiError as err:
        return err.status
    return 201


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def with_field(value: bytes) -> bytes:
    return b'{"title":"t","content":"c","x":' + value + b"}"


class RulesInOrder(unittest.TestCase):
    def test_precedence_415_413_400_422(self):
        huge = b"x" * (MAX_BODY_BYTES + 1)
        self.assertEqual(status(huge, "text/plain"), 415)
        self.assertEqual(status(huge), 413)
        self.assertEqual(status(b"{not json"), 400)
        self.assertEqual(status(b"[]"), 422)

    def test_the_body_is_not_read_for_a_415(self):
        def unread():
            raise AssertionError("body read")

        with self.assertRaises(errors.ApiError) as raised:
            validation.parse_new_note("text/plain", unread)
        self.assertEqual(raised.exception.status, 415)

    def test_unreadable_body_is_400(self):
        with self.assertRaises(errors.ApiError) as raised:
            validation.parse_new_note(JSON, lambda: Unread.UNREADABLE)
        self.assertEqual(raised.exception.status, 400)

    def test_content_types(self):
        for accepted in [
            "application/json",
            "APPLICATION/JSON",
            "Application/Json;charset=UTF-8",
            " application/json ; charset=utf-8",
            "\tapplication/json",
        ]:
            self.assertEqual(status(b'{"title":"t","content":"c"}', accepted), 201, accepted)
        for refused in [
            None,
            "",
            "text/plain",
            "application/jsonx",
            "application/vnd.api+json",
            "application/json\x0b",
            "applicat\u0131on/json",
        ]:
            self.assertEqual(status(b'{"title":"t","content":"c"}', refused), 415, refused)

    def test_size_limit_is_exactly_64_kib(self):
        def padded(size: int) -> bytes:
            base = b'{"title":"t","content":""}'
            return base[:1] + b" " * (size - len(base)) + base[1:]

        self.assertEqual(status(padded(MAX_BODY_BYTES)), 201)
        self.assertEqual(status(padded(MAX_BODY_BYTES + 1)), 413)


class JsonLikeSerde(unittest.TestCase):
    def test_what_python_accepts_and_serde_json_refuses_is_400(self):
        for body in [
            b"",
            b"  ",
            b'{"title":"t","content":"c","x":NaN}',
            b'{"title":"t","content":"c","x":Infinity}',
            b'{"title":"t","content":"c","x":-Infinity}',
            b'{"title":"t","content":"c","x":1e400}',
            b'{"title":"t","content":"c","x":-1' + b"0" * 400 + b"}",
            b'{"title":"t","content":"c","x":1' + b"0" * 5000 + b"}",
            rb'{"title":"\ud800","content":"c"}',
            rb'{"title":"t","content":"c","\udc00":1}',
            rb'{"title":"t","content":"c","x":["\udc00\ud800"]}',
            b'\xef\xbb\xbf{"title":"t","content":"c"}',
            b'{"title":"\xff","content":"c"}',
            b'{"title":"\xed\xa0\x80","content":"c"}',
            b'{"title":"a\x01b","content":"c"}',
            b'\xc2\xa0{"title":"t","content":"c"}',
            nested(129),
            with_field(nested(128)),
            nested(30_000),
            b"[" * 5000,
        ]:
            self.assertEqual(status(body), 400, body[:60])

    def test_edges_serde_json_accepts_are_accepted(self):
        for body in [
            b'{"title":"t","content":"c","x":1e-400}',
            b'{"title":"t","content":"c","x":1.7976931348623157e308}',
            b'{"title":"t","content":"c","x":-1' + b"0" * 300 + b"}",
            with_field(nested(127)),
            b' \t\r\n{"title":"t","content":"c"}\r\n',
            json.dumps({"title": "[" * 100, "content": '"[' * 200}).encode(),
        ]:
            self.assertEqual(status(body), 201, body[:60])
        self.assertEqual(status(nested(128)), 422)

    def test_escapes_are_decoded(self):
        note = validation.parse_new_note(
            JSON, lambda: rb'{"title":"\u00fc\ud83d\ude00","content":"\"\\\/"}'
        )
        self.assertEqual((note.title, note.content), ("ü😀", '"\\/'))


class Shape(unittest.TestCase):
    def test_wrong_shapes_are_422(self):
        for body in [
            b"[]",
            b'"t"',
            b"null",
            b"{}",
            b'{"content":"c"}',
            b'{"title":"t"}',
            b'{"title":1,"content":"c"}',
            b'{"title":"t","content":null}',
            b'{"title":"","content":"c"}',
            rb'{"title":"a\u0000b","content":"c"}',
            rb'{"title":"t","content":"\u0000"}',
        ]:
            self.assertEqual(status(body), 422, body)

    def test_lengths_count_code_points(self):
        def note(title: str, content: str) -> bytes:
            return json.dumps({"title": title, "content": content}).encode()

        self.assertEqual(status(note("😀" * 100, "")), 201)
        self.assertEqual(status(note("é" * 101, "")), 422)
        self.assertEqual(status(note("t", "ü" * 10_000)), 201)
        self.assertEqual(status(note("t", "ü" * 10_001)), 422)


if __name__ == "__main__":
    unittest.main()
