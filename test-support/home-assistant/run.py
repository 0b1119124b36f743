"""Starts Home Assistant core for the tests: `python run.py -c CONFIG_DIR --skip-pip`.

Releases from 2025.10 on declare Python >= 3.13.2, and refuse to start on an older
interpreter; they run on this machine's 3.13.0. This lifts only that one check, before
Home Assistant's own entry point reads it, and changes nothing else.
"""

import sys

import homeassistant.const as const

if sys.version_info[:3] < tuple(const.REQUIRED_PYTHON_VER):
    const.REQUIRED_PYTHON_VER = tuple(sys.version_info[:3])

from homeassistant.__main__ import main  # noqa: E402

sys.exit(main())
