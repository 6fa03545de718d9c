"""vnfix: repair Vietnamese text damaged by OCR or typed without diacritics.

>>> import vnfix
>>> vnfix.fix_text("Chi thi so 28-CT/TW cua Bo Chinh tri")
'Chỉ thị số 28-CT/TW của Bộ Chính trị'
"""

from .config import Config
from .fixer import Edit, Explained, Fixer, fix_and_explain, fix_text
from .normalise import normalise
from .tokenize import Token, tokenize

__version__ = "0.1.0"
__all__ = ["Config", "Edit", "Explained", "Fixer", "Token", "fix_and_explain", "fix_text", "normalise", "tokenize"]
