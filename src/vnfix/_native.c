/* vnfix._native: the two hot loops of vnfix in C, with pure-Python twins.
 *
 * - NativeLM.viterbi: the beam Viterbi of vnfix.decode over the trigram arrays of
 *   vnfix.lm (binary search per context instead of Python dicts).
 * - NativeChannel.scores: vnfix.channel's rewrite DP for one OCR token against
 *   many candidate syllables.
 *
 * Both follow the Python code step by step, with the same floating-point operations
 * in the same order and the same tie-breaking, so that output does not depend on
 * whether this module was compiled. The Python versions are the specification.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#define SCALE 1000.0
#define BITS 15

/* ------------------------------------------------------------------ LM -- */

typedef struct {
    PyObject_HEAD
    Py_buffer uni_lp, uni_bo, bi_keys, bi_lp, bi_bo, tri_keys, tri_lp;
    Py_ssize_t nv, nb, nt;
} NativeLM;

static void lm_dealloc(NativeLM *self) {
    Py_buffer *bufs[] = {&self->uni_lp, &self->uni_bo, &self->bi_keys, &self->bi_lp,
                         &self->bi_bo, &self->tri_keys, &self->tri_lp};
    for (int i = 0; i < 7; i++)
        if (bufs[i]->obj) PyBuffer_Release(bufs[i]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int lm_init(NativeLM *self, PyObject *args, PyObject *kwds) {
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*", &self->uni_lp, &self->uni_bo, &self->bi_keys,
                          &self->bi_lp, &self->bi_bo, &self->tri_keys, &self->tri_lp))
        return -1;
    self->nv = self->uni_lp.len / 2;
    self->nb = self->bi_keys.len / 4;
    self->nt = self->tri_keys.len / 8;
    return 0;
}

/* first index in [lo, hi) with keys[i] >= key */
static Py_ssize_t lower_i32(const int32_t *keys, Py_ssize_t lo, Py_ssize_t hi, int64_t key) {
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if ((int64_t)keys[mid] < key) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static Py_ssize_t lower_i64(const int64_t *keys, Py_ssize_t lo, Py_ssize_t hi, int64_t key) {
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (keys[mid] < key) lo = mid + 1; else hi = mid;
    }
    return lo;
}

typedef struct { Py_ssize_t lo, hi; double bo; } Ctx;

/* trigram range of context (a, b) and its backoff weight */
static Ctx tri_ctx(NativeLM *lm, int64_t a, int64_t b) {
    const int64_t *tk = (const int64_t *)lm->tri_keys.buf;
    const int32_t *bk = (const int32_t *)lm->bi_keys.buf;
    const int16_t *bbo = (const int16_t *)lm->bi_bo.buf;
    Ctx c;
    int64_t ctx = (a << BITS) | b;
    c.lo = lower_i64(tk, 0, lm->nt, ctx << BITS);
    c.hi = lower_i64(tk, c.lo, lm->nt, (ctx + 1) << BITS);
    Py_ssize_t i = lower_i32(bk, 0, lm->nb, ctx);
    c.bo = (i < lm->nb && bk[i] == ctx) ? bbo[i] / SCALE : 0.0;
    return c;
}

static Ctx bi_ctx(NativeLM *lm, int64_t b) {
    const int32_t *bk = (const int32_t *)lm->bi_keys.buf;
    Ctx c;
    c.lo = lower_i32(bk, 0, lm->nb, b << BITS);
    c.hi = lower_i32(bk, c.lo, lm->nb, (b + 1) << BITS);
    c.bo = 0.0;
    return c;
}

static double lm_lookup(NativeLM *lm, Ctx *t, Ctx *bctx, int64_t a, int64_t b, int64_t c) {
    const int64_t *tk = (const int64_t *)lm->tri_keys.buf;
    const int16_t *tlp = (const int16_t *)lm->tri_lp.buf;
    const int32_t *bk = (const int32_t *)lm->bi_keys.buf;
    const int16_t *blp = (const int16_t *)lm->bi_lp.buf;
    const int16_t *ulp = (const int16_t *)lm->uni_lp.buf;
    const int16_t *ubo = (const int16_t *)lm->uni_bo.buf;
    int64_t key = (((a << BITS) | b) << BITS) | c;
    Py_ssize_t i = lower_i64(tk, t->lo, t->hi, key);
    if (i < t->hi && tk[i] == key) return tlp[i] / SCALE;
    int64_t bkey = (b << BITS) | c;
    Py_ssize_t j = lower_i32(bk, bctx->lo, bctx->hi, bkey);
    double lp;
    if (j < bctx->hi && bk[j] == bkey) lp = blp[j] / SCALE;
    else lp = ubo[b] / SCALE + ulp[c] / SCALE;
    return t->bo + lp;
}

static PyObject *lm_score(NativeLM *self, PyObject *args) {
    long long a, b, c;
    if (!PyArg_ParseTuple(args, "LLL", &a, &b, &c)) return NULL;
    if (a < 0 || b < 0 || c < 0 || a >= self->nv || b >= self->nv || c >= self->nv) {
        PyErr_SetString(PyExc_IndexError, "id out of range");
        return NULL;
    }
    Ctx t = tri_ctx(self, a, b), bc = bi_ctx(self, b);
    return PyFloat_FromDouble(lm_lookup(self, &t, &bc, a, b, c));
}

typedef struct { int32_t a, b; double score; int32_t back; int32_t cand; } State;

static int cmp_state(const void *x, const void *y) {
    const State *s = (const State *)x, *t = (const State *)y;
    if (s->score > t->score) return -1;
    if (s->score < t->score) return 1;
    return 0;
}

/* viterbi(ids: list[list[int]], lps: list[list[float]], beam: int) -> list[int] */
static PyObject *lm_viterbi(NativeLM *self, PyObject *args) {
    PyObject *ids, *lps;
    int beam;
    if (!PyArg_ParseTuple(args, "O!O!i", &PyList_Type, &ids, &PyList_Type, &lps, &beam)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(ids);
    if (n != PyList_GET_SIZE(lps) || beam < 1) {
        PyErr_SetString(PyExc_ValueError, "ids and lps differ in length, or beam < 1");
        return NULL;
    }
    if (n == 0) return PyList_New(0);
    /* steps[t] holds up to cap states; states keep insertion order, like a Python dict */
    Py_ssize_t maxc = 1;
    for (Py_ssize_t t = 0; t < n; t++) {
        Py_ssize_t k = PyList_GET_SIZE(PyList_GET_ITEM(ids, t));
        if (k < 1 || k != PyList_GET_SIZE(PyList_GET_ITEM(lps, t))) {
            PyErr_SetString(PyExc_ValueError, "every position needs at least one candidate");
            return NULL;
        }
        if (k > maxc) maxc = k;
    }
    Py_ssize_t cap = (Py_ssize_t)beam * maxc + 1;
    State *steps = PyMem_Malloc(sizeof(State) * cap * n);
    Py_ssize_t *counts = PyMem_Malloc(sizeof(Py_ssize_t) * n);
    int64_t *cid = PyMem_Malloc(sizeof(int64_t) * maxc);
    double *clp = PyMem_Malloc(sizeof(double) * maxc);
    PyObject *result = NULL;
    if (!steps || !counts || !cid || !clp) { PyErr_NoMemory(); goto done; }

    State start = {0, 0, 0.0, -1, -1};
    State *prev = &start;
    Py_ssize_t nprev = 1;
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *ci = PyList_GET_ITEM(ids, t), *cl = PyList_GET_ITEM(lps, t);
        Py_ssize_t k = PyList_GET_SIZE(ci);
        for (Py_ssize_t j = 0; j < k; j++) {
            cid[j] = PyLong_AsLongLong(PyList_GET_ITEM(ci, j));
            clp[j] = PyFloat_AsDouble(PyList_GET_ITEM(cl, j));
            if (PyErr_Occurred()) goto done;
            if (cid[j] < 0 || cid[j] >= self->nv) {
                PyErr_SetString(PyExc_IndexError, "candidate id out of range");
                goto done;
            }
        }
        State *cur = steps + t * cap;
        Py_ssize_t ncur = 0;
        for (Py_ssize_t s = 0; s < nprev; s++) {
            int64_t a = prev[s].a, b = prev[s].b;
            double total = prev[s].score;
            Ctx tc = tri_ctx(self, a, b), bc = bi_ctx(self, b);
            for (Py_ssize_t j = 0; j < k; j++) {
                double v = total + lm_lookup(self, &tc, &bc, a, b, cid[j]) + clp[j];
                Py_ssize_t m;
                for (m = 0; m < ncur; m++)
                    if (cur[m].a == b && cur[m].b == cid[j]) break;
                if (m == ncur) {
                    cur[ncur].a = (int32_t)b; cur[ncur].b = (int32_t)cid[j];
                    cur[ncur].score = v; cur[ncur].back = (int32_t)s; cur[ncur].cand = (int32_t)j;
                    ncur++;
                } else if (v > cur[m].score) {
                    cur[m].score = v; cur[m].back = (int32_t)s; cur[m].cand = (int32_t)j;
                }
            }
        }
        if (ncur > beam) {
            /* stable sort by score, descending: mergesort on (score, insertion index) */
            for (Py_ssize_t m = 0; m < ncur; m++) cur[m].cand |= 0;  /* no-op: keeps layout */
            State *tmp = PyMem_Malloc(sizeof(State) * ncur);
            Py_ssize_t *order = PyMem_Malloc(sizeof(Py_ssize_t) * ncur);
            if (!tmp || !order) { PyMem_Free(tmp); PyMem_Free(order); PyErr_NoMemory(); goto done; }
            /* insertion sort is stable and ncur is small (beam * candidates) */
            for (Py_ssize_t m = 0; m < ncur; m++) {
                Py_ssize_t p = m;
                while (p > 0 && cur[order[p - 1]].score < cur[m].score) { order[p] = order[p - 1]; p--; }
                order[p] = m;
            }
            for (Py_ssize_t m = 0; m < beam; m++) tmp[m] = cur[order[m]];
            memcpy(cur, tmp, sizeof(State) * beam);
            PyMem_Free(tmp);
            PyMem_Free(order);
            ncur = beam;
        }
        counts[t] = ncur;
        prev = cur;
        nprev = ncur;
    }
    /* best final state including the end-of-sentence transition (1 = </s>) */
    Py_ssize_t best = 0;
    double best_score = 0.0;
    for (Py_ssize_t s = 0; s < nprev; s++) {
        Ctx tc = tri_ctx(self, prev[s].a, prev[s].b), bc = bi_ctx(self, prev[s].b);
        double v = prev[s].score + lm_lookup(self, &tc, &bc, prev[s].a, prev[s].b, 1);
        if (s == 0 || v > best_score) { best = s; best_score = v; }
    }
    result = PyList_New(n);
    if (!result) goto done;
    for (Py_ssize_t t = n - 1; t >= 0; t--) {
        State *st = steps + t * cap + best;
        PyList_SET_ITEM(result, t, PyLong_FromLong(st->cand));
        best = st->back;
    }
done:
    PyMem_Free(steps);
    PyMem_Free(counts);
    PyMem_Free(cid);
    PyMem_Free(clp);
    return result;
}

static double lm_score3(NativeLM *lm, int64_t a, int64_t b, int64_t c) {
    Ctx t = tri_ctx(lm, a, b), bc = bi_ctx(lm, b);
    return lm_lookup(lm, &t, &bc, a, b, c);
}

/* posteriors(ids, lps, path, positions) -> list[list[float]]: vnfix.decode.posteriors for each position */
static PyObject *lm_posteriors(NativeLM *self, PyObject *args) {
    PyObject *ids, *lps, *path, *positions;
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyList_Type, &ids, &PyList_Type, &lps, &PyList_Type, &path,
                          &PyList_Type, &positions))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(path);
    if (PyList_GET_SIZE(ids) != n || PyList_GET_SIZE(lps) != n) {
        PyErr_SetString(PyExc_ValueError, "ids, lps and path differ in length");
        return NULL;
    }
    int64_t *seq = PyMem_Malloc(sizeof(int64_t) * (n + 4));
    if (!seq) return PyErr_NoMemory();
    seq[0] = seq[1] = 0;
    seq[n + 2] = seq[n + 3] = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PyList_GET_ITEM(ids, i);
        Py_ssize_t k = PyLong_AsSsize_t(PyList_GET_ITEM(path, i));
        if (k < 0 || k >= PyList_GET_SIZE(row)) {
            PyMem_Free(seq);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "path index out of range");
            return NULL;
        }
        seq[i + 2] = PyLong_AsLongLong(PyList_GET_ITEM(row, k));
    }
    Py_ssize_t np = PyList_GET_SIZE(positions);
    PyObject *out = PyList_New(np);
    for (Py_ssize_t q = 0; out && q < np; q++) {
        Py_ssize_t pos = PyLong_AsSsize_t(PyList_GET_ITEM(positions, q));
        if (pos < 0 || pos >= n) { PyErr_SetString(PyExc_IndexError, "position out of range"); Py_CLEAR(out); break; }
        PyObject *ci = PyList_GET_ITEM(ids, pos), *cl = PyList_GET_ITEM(lps, pos);
        Py_ssize_t k = PyList_GET_SIZE(ci), p = pos + 2, len = n + 4;
        double *sc = PyMem_Malloc(sizeof(double) * (k ? k : 1));
        if (!sc) { PyErr_NoMemory(); Py_CLEAR(out); break; }
        double top = 0.0;
        for (Py_ssize_t j = 0; j < k; j++) {
            int64_t c = PyLong_AsLongLong(PyList_GET_ITEM(ci, j));
            if (c < 0 || c >= self->nv) c = 2;
            double v = PyFloat_AsDouble(PyList_GET_ITEM(cl, j)) + lm_score3(self, seq[p - 2], seq[p - 1], c);
            if (p + 1 < len) v += lm_score3(self, seq[p - 1], c, seq[p + 1]);
            if (p + 2 < len && p + 1 < len - 2) v += lm_score3(self, c, seq[p + 1], seq[p + 2]);
            sc[j] = v;
            if (j == 0 || v > top) top = v;
        }
        double z = 0.0;
        for (Py_ssize_t j = 0; j < k; j++) { sc[j] = exp(sc[j] - top); z += sc[j]; }
        PyObject *row = PyList_New(k);
        for (Py_ssize_t j = 0; row && j < k; j++) PyList_SET_ITEM(row, j, PyFloat_FromDouble(sc[j] / z));
        PyMem_Free(sc);
        if (!row) { Py_CLEAR(out); break; }
        PyList_SET_ITEM(out, q, row);
    }
    PyMem_Free(seq);
    if (PyErr_Occurred()) { Py_XDECREF(out); return NULL; }
    return out;
}

static PyMethodDef lm_methods[] = {
    {"posteriors", (PyCFunction)lm_posteriors, METH_VARARGS, "posteriors(ids, lps, path, positions)"},
    {"score", (PyCFunction)lm_score, METH_VARARGS, "score(a, b, c) -> ln P(c | a b)"},
    {"viterbi", (PyCFunction)lm_viterbi, METH_VARARGS, "viterbi(ids, lps, beam) -> list of candidate indices"},
    {NULL}
};

static PyTypeObject NativeLMType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "vnfix._native.NativeLM",
    .tp_basicsize = sizeof(NativeLM),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)lm_init,
    .tp_dealloc = (destructor)lm_dealloc,
    .tp_methods = lm_methods,
    .tp_doc = "NativeLM(uni_lp, uni_bo, bi_keys, bi_lp, bi_bo, tri_keys, tri_lp): the arrays of vnfix.lm",
};

/* ------------------------------------------------------------- channel -- */

/* A rule key packs gold and OCR segments of up to two UTF-16-range code points each. */
typedef struct { uint64_t key; double lp; } Rule;

typedef struct {
    PyObject_HEAD
    Rule *rules;
    Py_ssize_t nrules;
    uint16_t *base;     /* code point -> letter without marks, for code points < 0x10000 */
    double lp_same, lp_other, lp_insert, lp_delete, lp_keep;
} NativeChannel;

static void ch_dealloc(NativeChannel *self) {
    PyMem_Free(self->rules);
    PyMem_Free(self->base);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int cmp_rule(const void *x, const void *y) {
    uint64_t a = ((const Rule *)x)->key, b = ((const Rule *)y)->key;
    return a < b ? -1 : a > b;
}

static uint64_t pack(const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo, int *ok) {
    uint64_t k = 0;
    Py_UCS4 parts[4] = {lg > 0 ? g[0] : 0, lg > 1 ? g[1] : 0, lo > 0 ? o[0] : 0, lo > 1 ? o[1] : 0};
    *ok = 1;
    for (int i = 0; i < 4; i++) {
        if (parts[i] > 0xFFFF) *ok = 0;
        k = (k << 16) | (parts[i] & 0xFFFF);
    }
    /* the lengths disambiguate e.g. gold "a" from gold "a\0" */
    return k ^ ((uint64_t)(lg * 3 + lo) << 60);
}

/* NativeChannel(rules: dict[(str, str), float], base: str (65536 chars), lp_same, lp_other, lp_insert, lp_delete, lp_keep) */
static int ch_init(NativeChannel *self, PyObject *args, PyObject *kwds) {
    PyObject *rules, *base;
    if (!PyArg_ParseTuple(args, "O!Uddddd", &PyDict_Type, &rules, &base, &self->lp_same, &self->lp_other,
                          &self->lp_insert, &self->lp_delete, &self->lp_keep))
        return -1;
    if (PyUnicode_GET_LENGTH(base) != 0x10000) {
        PyErr_SetString(PyExc_ValueError, "base must map all 65536 code points");
        return -1;
    }
    self->base = PyMem_Malloc(sizeof(uint16_t) * 0x10000);
    self->rules = PyMem_Malloc(sizeof(Rule) * (PyDict_Size(rules) + 1));
    if (!self->base || !self->rules) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < 0x10000; i++) self->base[i] = (uint16_t)PyUnicode_READ_CHAR(base, i);
    PyObject *key, *value;
    Py_ssize_t pos = 0, n = 0;
    while (PyDict_Next(rules, &pos, &key, &value)) {
        PyObject *g, *o;
        if (!PyArg_ParseTuple(key, "UU", &g, &o)) return -1;
        Py_ssize_t lg = PyUnicode_GET_LENGTH(g), lo = PyUnicode_GET_LENGTH(o);
        if (lg > 2 || lo > 2) continue;
        Py_UCS4 gb[2] = {0, 0}, ob[2] = {0, 0};
        for (Py_ssize_t i = 0; i < lg; i++) gb[i] = PyUnicode_READ_CHAR(g, i);
        for (Py_ssize_t i = 0; i < lo; i++) ob[i] = PyUnicode_READ_CHAR(o, i);
        int ok;
        uint64_t k = pack(gb, lg, ob, lo, &ok);
        if (!ok) continue;
        self->rules[n].key = k;
        self->rules[n].lp = PyFloat_AsDouble(value);
        if (PyErr_Occurred()) return -1;
        n++;
    }
    qsort(self->rules, n, sizeof(Rule), cmp_rule);
    self->nrules = n;
    return 0;
}

static int find_rule(NativeChannel *ch, const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo, double *lp) {
    int ok;
    uint64_t k = pack(g, lg, o, lo, &ok);
    if (!ok) return 0;
    Py_ssize_t lo_i = 0, hi = ch->nrules;
    while (lo_i < hi) {
        Py_ssize_t mid = (lo_i + hi) / 2;
        if (ch->rules[mid].key < k) lo_i = mid + 1; else hi = mid;
    }
    if (lo_i < ch->nrules && ch->rules[lo_i].key == k) { *lp = ch->rules[lo_i].lp; return 1; }
    return 0;
}

static Py_UCS4 base_of(NativeChannel *ch, Py_UCS4 c) { return c < 0x10000 ? ch->base[c] : c; }

/* Channel._single */
static double single(NativeChannel *ch, const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo) {
    double lp;
    if (find_rule(ch, g, lg, o, lo, &lp)) return lp;
    if (lg == 0) return ch->lp_insert;
    if (lo == 0) return ch->lp_delete;
    if (g[0] == o[0]) return ch->lp_keep;
    return base_of(ch, g[0]) == base_of(ch, o[0]) ? ch->lp_same : ch->lp_other;
}

static double keep(NativeChannel *ch, Py_UCS4 c) {
    double lp;
    return find_rule(ch, &c, 1, &c, 1, &lp) ? lp : ch->lp_keep;
}

static double core(NativeChannel *ch, const Py_UCS4 *o, Py_ssize_t m, const Py_UCS4 *g, Py_ssize_t n) {
    if (n == 0 && m == 0) return 0.0;
    if (n == 1 && m == 1) {
        double a = single(ch, g, 1, o, 1);
        double b = single(ch, g, 1, o, 0) + single(ch, g, 0, o, 1);
        return a > b ? a : b;
    }
    if (n == m) {
        int two = 0;
        double lp;
        for (Py_ssize_t i = 0; i + 1 < n && !two; i++) two = find_rule(ch, g + i, 2, o + i, 2, &lp);
        if (!two) {
            double total = 0.0;
            for (Py_ssize_t i = 0; i < n; i++) {
                double a = single(ch, g + i, 1, o + i, 1), b = ch->lp_delete + ch->lp_insert;
                total += a > b ? a : b;
            }
            return total;
        }
    }
    const double neg = -1e9;
    double dp[34][34];
    if (n > 32 || m > 32) return neg;
    for (Py_ssize_t i = 0; i <= n; i++)
        for (Py_ssize_t j = 0; j <= m; j++) dp[i][j] = neg;
    dp[0][0] = 0.0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        for (Py_ssize_t j = 0; j <= m; j++) {
            double here = dp[i][j];
            if (here <= neg) continue;
            for (Py_ssize_t lg = 0; lg <= 2 && lg <= n - i; lg++) {
                for (Py_ssize_t lo = 0; lo <= 2 && lo <= m - j; lo++) {
                    if (lg == 0 && lo == 0) continue;
                    double lp;
                    if (lg <= 1 && lo <= 1) lp = single(ch, g + i, lg, o + j, lo);
                    else if (!find_rule(ch, g + i, lg, o + j, lo, &lp)) continue;
                    double v = here + lp;
                    if (v > dp[i + lg][j + lo]) dp[i + lg][j + lo] = v;
                }
            }
        }
    }
    return dp[n][m];
}

/* Channel.logp without the memo */
static double logp(NativeChannel *ch, const Py_UCS4 *o, Py_ssize_t m, const Py_UCS4 *g, Py_ssize_t n) {
    Py_ssize_t p = 0, s = 0;
    while (p < n && p < m && g[p] == o[p]) p++;
    while (s < n - p && s < m - p && g[n - 1 - s] == o[m - 1 - s]) s++;
    double a = 0.0, b = 0.0;
    for (Py_ssize_t i = 0; i < p; i++) a += keep(ch, g[i]);
    for (Py_ssize_t i = n - s; i < n; i++) b += keep(ch, g[i]);
    return (a + b) + core(ch, o + p, m - p - s, g + p, n - p - s);
}

/* scores(ocr: str, golds: list[str]) -> list[float] */
static PyObject *ch_scores(NativeChannel *self, PyObject *args) {
    PyObject *ocr, *golds;
    if (!PyArg_ParseTuple(args, "UO!", &ocr, &PyList_Type, &golds)) return NULL;
    Py_UCS4 *o = PyUnicode_AsUCS4Copy(ocr);
    if (!o) return NULL;
    Py_ssize_t m = PyUnicode_GET_LENGTH(ocr);
    Py_ssize_t k = PyList_GET_SIZE(golds);
    PyObject *out = PyList_New(k);
    for (Py_ssize_t i = 0; out && i < k; i++) {
        PyObject *gs = PyList_GET_ITEM(golds, i);
        if (!PyUnicode_Check(gs)) { PyErr_SetString(PyExc_TypeError, "golds must be str"); Py_CLEAR(out); break; }
        Py_UCS4 *g = PyUnicode_AsUCS4Copy(gs);
        if (!g) { Py_CLEAR(out); break; }
        double v = logp(self, o, m, g, PyUnicode_GET_LENGTH(gs));
        PyMem_Free(g);
        PyList_SET_ITEM(out, i, PyFloat_FromDouble(v));
    }
    PyMem_Free(o);
    return out;
}

static Py_ssize_t levenshtein(const Py_UCS4 *a, Py_ssize_t n, const Py_UCS4 *b, Py_ssize_t m, Py_ssize_t *row) {
    for (Py_ssize_t j = 0; j <= m; j++) row[j] = j;
    for (Py_ssize_t i = 1; i <= n; i++) {
        Py_ssize_t diag = row[0];
        row[0] = i;
        for (Py_ssize_t j = 1; j <= m; j++) {
            Py_ssize_t up = row[j];
            Py_ssize_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

typedef struct { double key; Py_ssize_t index; } Ranked;

static int cmp_ranked(const void *x, const void *y) {
    const Ranked *a = (const Ranked *)x, *b = (const Ranked *)y;
    if (a->key < b->key) return -1;
    if (a->key > b->key) return 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* best(ocr, golds, offsets, pool) -> (indices, logps): Channel.best */
static PyObject *ch_best(NativeChannel *self, PyObject *args) {
    PyObject *ocr, *golds, *offsets;
    Py_ssize_t pool;
    if (!PyArg_ParseTuple(args, "UO!O!n", &ocr, &PyList_Type, &golds, &PyList_Type, &offsets, &pool)) return NULL;
    Py_ssize_t k = PyList_GET_SIZE(golds);
    if (PyList_GET_SIZE(offsets) != k) { PyErr_SetString(PyExc_ValueError, "golds and offsets differ"); return NULL; }
    Py_UCS4 *o = PyUnicode_AsUCS4Copy(ocr);
    if (!o) return NULL;
    Py_ssize_t m = PyUnicode_GET_LENGTH(ocr);
    Ranked *rank = PyMem_Malloc(sizeof(Ranked) * (k ? k : 1));
    Py_UCS4 **gs = PyMem_Calloc(k ? k : 1, sizeof(Py_UCS4 *));
    Py_ssize_t *row = PyMem_Malloc(sizeof(Py_ssize_t) * (m + 1));
    PyObject *idx = NULL, *lps = NULL, *result = NULL;
    if (!rank || !gs || !row) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < k; i++) {
        PyObject *g = PyList_GET_ITEM(golds, i);
        if (!PyUnicode_Check(g)) { PyErr_SetString(PyExc_TypeError, "golds must be str"); goto done; }
        gs[i] = PyUnicode_AsUCS4Copy(g);
        if (!gs[i]) goto done;
        double off = PyFloat_AsDouble(PyList_GET_ITEM(offsets, i));
        if (PyErr_Occurred()) goto done;
        rank[i].key = off + (double)levenshtein(gs[i], PyUnicode_GET_LENGTH(g), o, m, row);
        rank[i].index = i;
    }
    qsort(rank, k, sizeof(Ranked), cmp_ranked);
    if (pool > k) pool = k;
    if (pool < 0) pool = 0;
    idx = PyList_New(pool);
    lps = PyList_New(pool);
    if (!idx || !lps) goto done;
    for (Py_ssize_t r = 0; r < pool; r++) {
        Py_ssize_t i = rank[r].index;
        double v = logp(self, o, m, gs[i], PyUnicode_GET_LENGTH(PyList_GET_ITEM(golds, i)));
        PyList_SET_ITEM(idx, r, PyLong_FromSsize_t(i));
        PyList_SET_ITEM(lps, r, PyFloat_FromDouble(v));
    }
    result = PyTuple_Pack(2, idx, lps);
done:
    Py_XDECREF(idx);
    Py_XDECREF(lps);
    if (gs) for (Py_ssize_t i = 0; i < k; i++) PyMem_Free(gs[i]);
    PyMem_Free(gs);
    PyMem_Free(rank);
    PyMem_Free(row);
    PyMem_Free(o);
    return result;
}

static PyMethodDef ch_methods[] = {
    {"best", (PyCFunction)ch_best, METH_VARARGS, "best(ocr, golds, offsets, pool) -> (indices, logps)"},
    {"scores", (PyCFunction)ch_scores, METH_VARARGS, "scores(ocr, golds) -> [ln P(ocr | gold)]"},
    {NULL}
};

static PyTypeObject NativeChannelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "vnfix._native.NativeChannel",
    .tp_basicsize = sizeof(NativeChannel),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)ch_init,
    .tp_dealloc = (destructor)ch_dealloc,
    .tp_methods = ch_methods,
    .tp_doc = "NativeChannel(rules, base, lp_same, lp_other, lp_insert, lp_delete, lp_keep)",
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "vnfix._native", "Fast paths of vnfix.", -1, NULL};

PyMODINIT_FUNC PyInit__native(void) {
    if (PyType_Ready(&NativeLMType) < 0 || PyType_Ready(&NativeChannelType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&NativeLMType);
    Py_INCREF(&NativeChannelType);
    PyModule_AddObject(m, "NativeLM", (PyObject *)&NativeLMType);
    PyModule_AddObject(m, "NativeChannel", (PyObject *)&NativeChannelType);
    return m;
}
