"""The frozen program's entry script: the same as the `esca-desktop` console script of the package.

PyInstaller needs a script rather than an entry point; this one only hands over to
`esca_desktop.__main__.main`, so that the bundle behaves exactly like the installed command.
"""

import sys

from esca_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
