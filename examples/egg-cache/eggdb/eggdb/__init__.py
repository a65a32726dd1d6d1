"""eggdb: toy DB driver (see ../setup.py). Importing it loads the C
extension, which, from a zipped egg, means extracting it to the egg cache."""
from eggdb._eggdb import connect, version  # noqa: F401  (like MySQLdb -> _mysql)

__all__ = ["connect", "version"]
