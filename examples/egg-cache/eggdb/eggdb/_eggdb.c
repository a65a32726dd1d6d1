/* _eggdb: the C half of the toy driver. It does nothing useful; what
 * matters is that it is a shared object, so pkg_resources must extract it
 * from the zipped egg before it can be loaded. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *eggdb_connect(PyObject *self, PyObject *args) {
    const char *dsn = "eggdb://localhost/test";
    if (!PyArg_ParseTuple(args, "|s", &dsn))
        return NULL;
    return PyUnicode_FromFormat("<eggdb connection to %s>", dsn);
}

static PyObject *eggdb_version(PyObject *self, PyObject *noargs) {
    return PyUnicode_FromString("1.0");
}

static PyMethodDef eggdb_methods[] = {
    {"connect", eggdb_connect, METH_VARARGS, "Pretend to connect."},
    {"version", eggdb_version, METH_NOARGS, "Driver version."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef eggdb_module = {
    PyModuleDef_HEAD_INIT, "_eggdb", "Toy DB driver (C part).", -1, eggdb_methods,
};

PyMODINIT_FUNC PyInit__eggdb(void) { return PyModule_Create(&eggdb_module); }
