"""eggdb: a stand-in for MySQL-python (MySQLdb) as it was deployed in 2016.

A pure-Python package with a C extension, built with ``setup.py bdist_egg``
into a *zipped* egg. For every extension module, bdist_egg writes a stub
loader ``eggdb/_eggdb.py`` next to the ``.so``; on import the stub calls
``pkg_resources.resource_filename()``, which extracts the ``.so`` from the
zip into the egg cache ($PYTHON_EGG_CACHE, else ~/.cache/Python-Eggs with
setuptools >= 44, ~/.python-eggs before) and loads it from there. That is
exactly what ``import MySQLdb`` did, and why it needs a writable $HOME.
"""
from setuptools import setup, Extension

setup(
    name="eggdb",
    version="1.0",
    description="Toy DB driver with a C extension, shipped as a zipped egg",
    packages=["eggdb"],
    ext_modules=[Extension("eggdb._eggdb", sources=["eggdb/_eggdb.c"])],
    zip_safe=True,
)
