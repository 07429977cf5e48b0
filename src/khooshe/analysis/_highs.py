"""One way to make a HiGHS solver: quiet.

HiGHS prints a copyright banner on the C level's standard output the first time a solver is
made in a process — into the middle of a command's output. The first construction runs with
file descriptor 1 pointed at /dev/null; every solver gets ``output_flag`` off.
"""

from __future__ import annotations

import os
import sys

import highspy

_BANNER_SHOWN = False


def quiet_highs() -> highspy.Highs:
    """A new ``highspy.Highs`` that prints nothing."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h
