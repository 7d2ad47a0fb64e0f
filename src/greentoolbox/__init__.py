"""Green Toolbox engine: load -> validate -> translate -> render -> export.

Plain Python with no MkDocs import, so the command-line tool, the tests and the MkDocs hooks
(hooks/*.py) all drive the same code, and the site generator can be replaced.
"""

__version__ = "0.1.0"
