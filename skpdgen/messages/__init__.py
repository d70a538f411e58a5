"""Messages in the reader's language: an English → Indonesian catalogue applied at output time.

    translate("unknown key 'judul'", "id")  ->  "kunci 'judul' tidak dikenal"

skpdgen/messages/id.yaml holds the templates; tests/test_messages.py fails, listing each one in
a form ready to paste, when a message in the source has no entry there.
"""

from skpdgen.messages.catalogue import LANGUAGES, translate
from skpdgen.messages.lang import choose
from skpdgen.messages.stream import TranslatingStream, language_of, underlying

__all__ = ["LANGUAGES", "TranslatingStream", "choose", "language_of", "translate",
           "underlying"]
