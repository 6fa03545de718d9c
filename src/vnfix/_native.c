/* vnfix._native: the two hot loops of vnfix in C, with pure-Python twins.
 *
 * - NativeLM.viterbi: the beam Viterbi of vnfix.decode over the arrays of vnfix.lm
 *   (a hash table of bigrams, each pointing at its trigrams; a binary search among those).
 * - NativeChannel: vnfix.channel's rewrite rules and DP; NativeIndex: vnfix.fuzzy's
 *   symmetric-delete index, pre-ranking and channel scoring in one call.
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

typedef struct { Py_ssize_t lo, hi; double bo; } Ctx;
#define CTX_CACHE 65536
typedef struct { int64_t key; Ctx ctx; } CtxEntry;  /* key -1: empty */
typedef struct { uint32_t key; int16_t lp, bo; int32_t index; } BiEntry;  /* key BI_EMPTY: empty */
#define BI_EMPTY 0xFFFFFFFFu

typedef struct {
    PyObject_HEAD
    Py_buffer uni_lp, uni_bo, bi_keys, bi_lp, bi_bo, bi_tri, tri_last, tri_lp;
    Py_ssize_t nv, nb, nt;
    CtxEntry *tri_cache;  /* direct-mapped: contexts recur, binary searches are cache misses */
    BiEntry *bi_hash;                /* every bigram, open addressing: one probe instead of a search */
    uint32_t bi_mask;
} NativeLM;

static inline uint32_t bi_slot(uint32_t key, uint32_t mask) { return (key * 0x9E3779B1u) >> 8 & mask; }

static void lm_dealloc(NativeLM *self) {
    Py_buffer *bufs[] = {&self->uni_lp, &self->uni_bo, &self->bi_keys, &self->bi_lp,
                         &self->bi_bo, &self->bi_tri, &self->tri_last, &self->tri_lp};
    for (int i = 0; i < 8; i++)
        if (bufs[i]->obj) PyBuffer_Release(bufs[i]);
    PyMem_Free(self->tri_cache);
    PyMem_Free(self->bi_hash);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int lm_init(NativeLM *self, PyObject *args, PyObject *kwds) {
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*", &self->uni_lp, &self->uni_bo, &self->bi_keys,
                          &self->bi_lp, &self->bi_bo, &self->bi_tri, &self->tri_last, &self->tri_lp))
        return -1;
    self->nv = self->uni_lp.len / 2;
    self->nb = self->bi_keys.len / 4;
    self->nt = self->tri_last.len / 2;
    const uint32_t *starts = (const uint32_t *)self->bi_tri.buf;
    int ok = self->bi_tri.len == 4 * (self->nb + 1) && self->tri_lp.len == 2 * self->nt && starts[0] == 0 &&
             starts[self->nb] == self->nt;
    for (Py_ssize_t i = 0; ok && i < self->nb; i++) ok = starts[i] <= starts[i + 1];  /* (reads stay in bounds) */
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, "inconsistent language model arrays");
        return -1;
    }
    self->tri_cache = PyMem_Malloc(sizeof(CtxEntry) * CTX_CACHE);
    if (!self->tri_cache) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < CTX_CACHE; i++) self->tri_cache[i].key = -1;
    uint32_t size = 1024;
    while (size < 2 * (uint64_t)self->nb && size < 0x80000000u) size <<= 1;
    self->bi_hash = PyMem_Malloc(sizeof(BiEntry) * size);
    if (!self->bi_hash) { PyErr_NoMemory(); return -1; }
    self->bi_mask = size - 1;
    for (uint32_t i = 0; i < size; i++) self->bi_hash[i].key = BI_EMPTY;
    const int32_t *bk = (const int32_t *)self->bi_keys.buf;
    const int16_t *blp = (const int16_t *)self->bi_lp.buf, *bbo = (const int16_t *)self->bi_bo.buf;
    for (Py_ssize_t i = 0; i < self->nb; i++) {
        uint32_t h = bi_slot((uint32_t)bk[i], self->bi_mask);
        while (self->bi_hash[h].key != BI_EMPTY) h = (h + 1) & self->bi_mask;
        self->bi_hash[h].key = (uint32_t)bk[i];
        self->bi_hash[h].lp = blp[i];
        self->bi_hash[h].bo = bbo[i];
        self->bi_hash[h].index = (int32_t)i;
    }
    return 0;
}

static inline const BiEntry *bi_find(NativeLM *lm, int64_t key) {
    uint32_t h = bi_slot((uint32_t)key, lm->bi_mask);
    while (lm->bi_hash[h].key != BI_EMPTY) {
        if (lm->bi_hash[h].key == (uint32_t)key) return &lm->bi_hash[h];
        h = (h + 1) & lm->bi_mask;
    }
    return NULL;
}

/* trigram range of context (a, b) and its backoff weight (every context of a trigram is a stored bigram) */
static Ctx tri_ctx_search(NativeLM *lm, int64_t a, int64_t b) {
    const uint32_t *starts = (const uint32_t *)lm->bi_tri.buf;
    Ctx c = {0, 0, 0.0};
    const BiEntry *e = bi_find(lm, (a << BITS) | b);
    if (e) {
        c.lo = starts[e->index];
        c.hi = starts[e->index + 1];
        c.bo = e->bo / SCALE;
    }
    return c;
}

static Ctx tri_ctx(NativeLM *lm, int64_t a, int64_t b) {
    int64_t key = (a << BITS) | b;
    CtxEntry *e = &lm->tri_cache[(uint64_t)(key * 0x9E3779B97F4A7C15ULL) >> 48];
    if (e->key != key) { e->ctx = tri_ctx_search(lm, a, b); e->key = key; }
    return e->ctx;
}

/* ln P(c | b) with the unigram backoff, the bigram part of lm_lookup */
static double bi_lookup(NativeLM *lm, int64_t b, int64_t c) {
    const int16_t *ulp = (const int16_t *)lm->uni_lp.buf;
    const int16_t *ubo = (const int16_t *)lm->uni_bo.buf;
    const BiEntry *e = bi_find(lm, (b << BITS) | c);
    if (e) return e->lp / SCALE;
    return ubo[b] / SCALE + ulp[c] / SCALE;
}

/* the trigram part: 1 and *lp when c is stored after t's context */
static int tri_lookup(NativeLM *lm, const Ctx *t, int64_t c, double *lp) {
    const uint16_t *last = (const uint16_t *)lm->tri_last.buf;
    Py_ssize_t lo = t->lo, hi = t->hi;
    while (lo < hi) {  /* the first of the context's last ids >= c */
        Py_ssize_t mid = (lo + hi) / 2;
        if (last[mid] < c) lo = mid + 1; else hi = mid;
    }
    if (lo < t->hi && last[lo] == c) { *lp = ((const int16_t *)lm->tri_lp.buf)[lo] / SCALE; return 1; }
    return 0;
}

static double lm_lookup(NativeLM *lm, const Ctx *t, int64_t b, int64_t c) {
    double lp;
    if (tri_lookup(lm, t, c, &lp)) return lp;
    return t->bo + bi_lookup(lm, b, c);
}

static PyObject *lm_score(NativeLM *self, PyObject *args) {
    long long a, b, c;
    if (!PyArg_ParseTuple(args, "LLL", &a, &b, &c)) return NULL;
    if (a < 0 || b < 0 || c < 0 || a >= self->nv || b >= self->nv || c >= self->nv) {
        PyErr_SetString(PyExc_IndexError, "id out of range");
        return NULL;
    }
    Ctx t = tri_ctx(self, a, b);
    return PyFloat_FromDouble(lm_lookup(self, &t, b, c));
}

/* a reading further than this (ln) behind the best state keeps no place of its own in the beam
   (decode.REACH) */
#define REACH 10.0
typedef struct { int32_t a, b; double score; int32_t back; int32_t cand; } State;

/* A lattice is a list (one per position) of non-empty lists or tuples of candidates, each a tuple
 * (lm id, text, ln-probability) such as vnfix.candidates.Candidate: read in place. */
static Py_ssize_t check_lattice(PyObject *lattice, Py_ssize_t *maxc) {
    Py_ssize_t n = PyList_GET_SIZE(lattice);
    *maxc = 1;
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *row = PyList_GET_ITEM(lattice, t);
        if (!(PyList_Check(row) || PyTuple_Check(row)) || PySequence_Fast_GET_SIZE(row) < 1) {
            PyErr_SetString(PyExc_ValueError, "every position needs a non-empty list of candidates");
            return -1;
        }
        for (Py_ssize_t j = 0; j < PySequence_Fast_GET_SIZE(row); j++) {
            PyObject *c = PySequence_Fast_GET_ITEM(row, j);
            if (!PyTuple_Check(c) || PyTuple_GET_SIZE(c) < 3) {
                PyErr_SetString(PyExc_TypeError, "a candidate is a tuple (lm id, text, ln-probability)");
                return -1;
            }
        }
        if (PySequence_Fast_GET_SIZE(row) > *maxc) *maxc = PySequence_Fast_GET_SIZE(row);
    }
    return n;
}

#define ROW(lattice, t) PyList_GET_ITEM(lattice, t)
#define CAND(lattice, t, j) PySequence_Fast_GET_ITEM(ROW(lattice, t), j)

/* viterbi(lattice: list[list[Candidate]], beam: int) -> list[int] */
static PyObject *lm_viterbi(NativeLM *self, PyObject *args) {
    PyObject *lattice;
    int beam;
    if (!PyArg_ParseTuple(args, "O!i", &PyList_Type, &lattice, &beam)) return NULL;
    if (beam < 1) {
        PyErr_SetString(PyExc_ValueError, "beam < 1");
        return NULL;
    }
    Py_ssize_t maxc;
    Py_ssize_t n = check_lattice(lattice, &maxc);
    if (n < 0) return NULL;
    if (n == 0) return PyList_New(0);
    /* steps[t] holds up to cap states; states keep insertion order, like a Python dict */
    Py_ssize_t cap = ((Py_ssize_t)beam + maxc) * maxc + 1;  /* states before pruning: prev states x candidates */
    State *steps = PyMem_Malloc(sizeof(State) * cap * n);
    Py_ssize_t *counts = PyMem_Malloc(sizeof(Py_ssize_t) * n);
    int64_t *cid = PyMem_Malloc(sizeof(int64_t) * maxc);
    double *clp = PyMem_Malloc(sizeof(double) * maxc);
    Py_ssize_t *slot_of = PyMem_Malloc(sizeof(Py_ssize_t) * 64 * maxc);
    char *seen = PyMem_Malloc(maxc);
    double *bigram = PyMem_Malloc(sizeof(double) * 64 * maxc);
    /* scratch of the pruning: the kept states' order, the kept states, each candidate's best state */
    Py_ssize_t *order = PyMem_Malloc(sizeof(Py_ssize_t) * ((Py_ssize_t)beam + maxc));
    State *tmp = PyMem_Malloc(sizeof(State) * ((Py_ssize_t)beam + maxc));
    Py_ssize_t *best_of = PyMem_Malloc(sizeof(Py_ssize_t) * maxc);
    Py_ssize_t *twin = PyMem_Malloc(sizeof(Py_ssize_t) * maxc);
    PyObject *result = NULL;
    if (!steps || !counts || !cid || !clp || !slot_of || !seen || !bigram || !order || !tmp || !best_of || !twin) {
        PyErr_NoMemory();
        goto done;
    }

    State start = {0, 0, 0.0, -1, -1};
    State *prev = &start;
    Py_ssize_t nprev = 1;
    for (Py_ssize_t t = 0; t < n; t++) {
        Py_ssize_t k = PySequence_Fast_GET_SIZE(ROW(lattice, t));
        for (Py_ssize_t j = 0; j < k; j++) {
            cid[j] = PyLong_AsLongLong(PyTuple_GET_ITEM(CAND(lattice, t, j), 0));
            clp[j] = PyFloat_AsDouble(PyTuple_GET_ITEM(CAND(lattice, t, j), 2));
            if (PyErr_Occurred()) goto done;
            if (cid[j] < 0 || cid[j] >= self->nv) {
                PyErr_SetString(PyExc_IndexError, "candidate id out of range");
                goto done;
            }
            twin[j] = -1;  /* the first earlier candidate with the same LM id (<unk> readings share one) */
            for (Py_ssize_t j2 = 0; j2 < j; j2++)
                if (cid[j2] == cid[j]) { twin[j] = j2; break; }
        }
        State *cur = steps + t * cap;
        Py_ssize_t ncur = 0;
        /* new state (b, c) <-> (index of b among the previous states' b, candidate j) */
        int64_t bs[64];
        Py_ssize_t nb = 0;
        int use_table = nprev <= 64;
        for (Py_ssize_t s = 0; s < nprev; s++) {
            int64_t a = prev[s].a, b = prev[s].b;
            double total = prev[s].score;
            Ctx tc = tri_ctx(self, a, b);
            Py_ssize_t bi = 0;
            if (use_table) {
                while (bi < nb && bs[bi] != b) bi++;
                if (bi == nb) {
                    bs[nb++] = b;
                    for (Py_ssize_t j = 0; j < k; j++) {
                        slot_of[bi * maxc + j] = -1;
                        bigram[bi * maxc + j] = bi_lookup(self, b, cid[j]);  /* shared by every a */
                    }
                }
            }
            for (Py_ssize_t j = 0; j < k; j++) {
                double lp;
                if (!tri_lookup(self, &tc, cid[j], &lp))
                    lp = tc.bo + (use_table ? bigram[bi * maxc + j] : bi_lookup(self, b, cid[j]));
                double v = total + lp + clp[j];
                Py_ssize_t m;
                if (use_table) {
                    /* two candidates may share an LM id: then (b, c) is one state */
                    m = slot_of[bi * maxc + j];
                    if (m < 0 && twin[j] >= 0) m = slot_of[bi * maxc + twin[j]];
                    if (m < 0) m = ncur;
                    slot_of[bi * maxc + j] = m;
                } else {
                    for (m = 0; m < ncur; m++)
                        if (cur[m].a == b && cur[m].b == cid[j]) break;
                }
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
            /* keep the `beam` best states and, for every candidate, its best state: one reading
               whose history scores many near-equal ways (chương, chướng, chưởng...) cannot crowd
               its neighbour's readings out of the beam. "Best" and "first" follow a stable sort
               by score (an earlier state wins a tie), without sorting all states: the top `beam`
               are picked in one sweep, and only the kept ones (at most beam + k) are ordered. */
            for (Py_ssize_t j = 0; j < k; j++) best_of[j] = -1;
            Py_ssize_t ntop = 0;
            for (Py_ssize_t m = 0; m < ncur; m++) {
                double v = cur[m].score;
                int32_t j = cur[m].cand;
                if (best_of[j] < 0 || v > cur[best_of[j]].score) best_of[j] = m;
                if (ntop == beam && !(v > cur[order[ntop - 1]].score)) continue;
                Py_ssize_t p = ntop < beam ? ntop++ : ntop - 1;
                while (p > 0 && cur[order[p - 1]].score < v) { order[p] = order[p - 1]; p--; }
                order[p] = m;
            }
            double floor = cur[order[0]].score - REACH;
            for (Py_ssize_t j = 0; j < k; j++) seen[j] = 0;
            for (Py_ssize_t m = 0; m < ntop; m++) seen[cur[order[m]].cand] = 1;
            Py_ssize_t kept = ntop;
            for (Py_ssize_t j = 0; j < k; j++) {
                Py_ssize_t m = best_of[j];
                if (m < 0 || seen[j] || cur[m].score < floor) continue;
                /* into place among the kept: after every state that scores more, or as much and came first */
                Py_ssize_t p = kept++;
                while (p > 0 && (cur[order[p - 1]].score < cur[m].score ||
                                 (cur[order[p - 1]].score == cur[m].score && order[p - 1] > m))) {
                    order[p] = order[p - 1];
                    p--;
                }
                order[p] = m;
            }
            for (Py_ssize_t m = 0; m < kept; m++) tmp[m] = cur[order[m]];
            memcpy(cur, tmp, sizeof(State) * kept);
            ncur = kept;
        }
        counts[t] = ncur;
        prev = cur;
        nprev = ncur;
    }
    /* best final state including the end-of-sentence transition (1 = </s>) */
    Py_ssize_t best = 0;
    double best_score = 0.0;
    for (Py_ssize_t s = 0; s < nprev; s++) {
        Ctx tc = tri_ctx(self, prev[s].a, prev[s].b);
        double v = prev[s].score + lm_lookup(self, &tc, prev[s].b, 1);
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
    PyMem_Free(slot_of);
    PyMem_Free(seen);
    PyMem_Free(bigram);
    PyMem_Free(order);
    PyMem_Free(tmp);
    PyMem_Free(best_of);
    PyMem_Free(twin);
    return result;
}

static double lm_score3(NativeLM *lm, int64_t a, int64_t b, int64_t c) {
    Ctx t = tri_ctx(lm, a, b);
    return lm_lookup(lm, &t, b, c);
}

/* posteriors(lattice, path, positions) -> list[list[float]]: vnfix.decode.posteriors for each position */
static PyObject *lm_posteriors(NativeLM *self, PyObject *args) {
    PyObject *lattice, *path, *positions;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &lattice, &PyList_Type, &path, &PyList_Type, &positions))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(path), maxc;
    if (check_lattice(lattice, &maxc) != n) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "lattice and path differ in length");
        return NULL;
    }
    int64_t *seq = PyMem_Malloc(sizeof(int64_t) * (n + 4));
    if (!seq) return PyErr_NoMemory();
    seq[0] = seq[1] = 0;
    seq[n + 2] = seq[n + 3] = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = ROW(lattice, i);
        Py_ssize_t k = PyLong_AsSsize_t(PyList_GET_ITEM(path, i));
        if (k < 0 || k >= PySequence_Fast_GET_SIZE(row)) {
            PyMem_Free(seq);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "path index out of range");
            return NULL;
        }
        seq[i + 2] = PyLong_AsLongLong(PyTuple_GET_ITEM(CAND(lattice, i, k), 0));
    }
    Py_ssize_t np = PyList_GET_SIZE(positions);
    PyObject *out = PyList_New(np);
    for (Py_ssize_t q = 0; out && q < np; q++) {
        Py_ssize_t pos = PyLong_AsSsize_t(PyList_GET_ITEM(positions, q));
        if (pos < 0 || pos >= n) { PyErr_SetString(PyExc_IndexError, "position out of range"); Py_CLEAR(out); break; }
        PyObject *row = ROW(lattice, pos);
        Py_ssize_t k = PySequence_Fast_GET_SIZE(row), p = pos + 2, len = n + 4;
        double *sc = PyMem_Malloc(sizeof(double) * (k ? k : 1));
        if (!sc) { PyErr_NoMemory(); Py_CLEAR(out); break; }
        double top = 0.0;
        for (Py_ssize_t j = 0; j < k; j++) {
            int64_t c = PyLong_AsLongLong(PyTuple_GET_ITEM(CAND(lattice, pos, j), 0));
            if (c < 0 || c >= self->nv) c = 2;
            double v = PyFloat_AsDouble(PyTuple_GET_ITEM(CAND(lattice, pos, j), 2)) +
                       lm_score3(self, seq[p - 2], seq[p - 1], c);
            if (p + 1 < len) v += lm_score3(self, seq[p - 1], c, seq[p + 1]);
            if (p + 2 < len && p + 1 < len - 2) v += lm_score3(self, c, seq[p + 1], seq[p + 2]);
            sc[j] = v;
            if (j == 0 || v > top) top = v;
        }
        double z = 0.0;
        for (Py_ssize_t j = 0; j < k; j++) { sc[j] = exp(sc[j] - top); z += sc[j]; }
        PyObject *probs = PyList_New(k);
        for (Py_ssize_t j = 0; probs && j < k; j++) PyList_SET_ITEM(probs, j, PyFloat_FromDouble(sc[j] / z));
        PyMem_Free(sc);
        if (!probs) { Py_CLEAR(out); break; }
        PyList_SET_ITEM(out, q, probs);
    }
    PyMem_Free(seq);
    if (PyErr_Occurred()) { Py_XDECREF(out); return NULL; }
    return out;
}

static PyMethodDef lm_methods[] = {
    {"posteriors", (PyCFunction)lm_posteriors, METH_VARARGS, "posteriors(lattice, path, positions)"},
    {"score", (PyCFunction)lm_score, METH_VARARGS, "score(a, b, c) -> ln P(c | a b)"},
    {"viterbi", (PyCFunction)lm_viterbi, METH_VARARGS, "viterbi(lattice, beam) -> list of candidate indices"},
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
    .tp_doc = "NativeLM(uni_lp, uni_bo, bi_keys, bi_lp, bi_bo, bi_tri, tri_last, tri_lp): the arrays of vnfix.lm",
};

/* ------------------------------------------------------------- channel -- */

#define KEEP_RANGE 0x2000
#define CORE_MAX 6
#define CACHE_SIZE 65536
struct CoreEntry { Py_UCS4 o[CORE_MAX], g[CORE_MAX]; int8_t m, n, used; double value; };

/* A rule key packs gold and OCR segments of up to two UTF-16-range code points each. */
typedef struct { uint64_t key; double lp; } Rule;

typedef struct {
    PyObject_HEAD
    Rule *rules;        /* open-addressing hash table of size tsize (key 0 = empty) */
    Py_ssize_t nrules, tsize;
    uint16_t *base;     /* code point -> letter without marks, for code points < 0x10000 */
    double lp_same, lp_other, lp_insert, lp_delete, lp_keep;
    double *keep_lp;    /* ln P(c read as c) for c < KEEP_RANGE */
    double *ins_lp, *del_lp;  /* ln P(c printed from nothing), ln P(c not printed), for c < KEEP_RANGE */
    struct CoreEntry *cache;  /* direct-mapped memo of core(): the same cores recur across tokens */
    uint64_t heads[1024];     /* a bit per hash of (first gold, first OCR code point, lengths) of some rule */
} NativeChannel;

/* Most segment pairs the DP asks about are no rule: one bit test turns them away cheaply. */
static inline unsigned head_bit(const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo) {
    uint32_t h = (lg ? g[0] : 0x10FFFF) * 0x9E3779B1u ^ (lo ? o[0] : 0x10FFFF) * 0x85EBCA77u ^ (uint32_t)(lg * 3 + lo);
    return (h * 0xC2B2AE3Du) >> 16;
}

static void ch_dealloc(NativeChannel *self) {
    PyMem_Free(self->rules);
    PyMem_Free(self->base);
    PyMem_Free(self->keep_lp);
    PyMem_Free(self->ins_lp);
    PyMem_Free(self->del_lp);
    PyMem_Free(self->cache);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static inline uint64_t pack(const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo, int *ok) {
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

static inline int find_rule(NativeChannel *ch, const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo, double *lp);
static inline double single(NativeChannel *ch, const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo);

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
        unsigned bit = head_bit(gb, lg, ob, lo);
        self->heads[bit >> 6] |= (uint64_t)1 << (bit & 63);
        if (PyErr_Occurred()) return -1;
        n++;
    }
    /* move the rules into a hash table: lookups happen inside the DP's innermost loop */
    Py_ssize_t size = 16;
    while (size < n * 3) size <<= 1;
    Rule *table = PyMem_Calloc(size, sizeof(Rule));
    if (!table) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t h = (Py_ssize_t)((self->rules[i].key * 0x9E3779B97F4A7C15ULL) >> 20) & (size - 1);
        while (table[h].key) h = (h + 1) & (size - 1);
        table[h] = self->rules[i];
    }
    PyMem_Free(self->rules);
    self->rules = table;
    self->nrules = n;
    self->tsize = size;
    self->keep_lp = PyMem_Malloc(sizeof(double) * KEEP_RANGE);
    self->ins_lp = PyMem_Malloc(sizeof(double) * KEEP_RANGE);
    self->del_lp = PyMem_Malloc(sizeof(double) * KEEP_RANGE);
    self->cache = PyMem_Calloc(CACHE_SIZE, sizeof(struct CoreEntry));
    if (!self->keep_lp || !self->ins_lp || !self->del_lp || !self->cache) { PyErr_NoMemory(); return -1; }
    for (Py_UCS4 c = 0; c < KEEP_RANGE; c++) {
        double lp;
        self->keep_lp[c] = find_rule(self, &c, 1, &c, 1, &lp) ? lp : self->lp_keep;
        self->ins_lp[c] = single(self, &c, 0, &c, 1);  /* (the DP asks these in every cell) */
        self->del_lp[c] = single(self, &c, 1, &c, 0);
    }
    return 0;
}

static inline int find_rule(NativeChannel *ch, const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo, double *lp) {
    unsigned bit = head_bit(g, lg, o, lo);
    if (!(ch->heads[bit >> 6] >> (bit & 63) & 1)) return 0;
    int ok;
    uint64_t k = pack(g, lg, o, lo, &ok);
    if (!ok || !k) return 0;
    Py_ssize_t h = (Py_ssize_t)((k * 0x9E3779B97F4A7C15ULL) >> 20) & (ch->tsize - 1);
    while (ch->rules[h].key) {
        if (ch->rules[h].key == k) { *lp = ch->rules[h].lp; return 1; }
        h = (h + 1) & (ch->tsize - 1);
    }
    return 0;
}

static Py_UCS4 base_of(NativeChannel *ch, Py_UCS4 c) { return c < 0x10000 ? ch->base[c] : c; }

/* Channel._single */
static inline double single(NativeChannel *ch, const Py_UCS4 *g, Py_ssize_t lg, const Py_UCS4 *o, Py_ssize_t lo) {
    double lp;
    if (find_rule(ch, g, lg, o, lo, &lp)) return lp;
    if (lg == 0) return ch->lp_insert;
    if (lo == 0) return ch->lp_delete;
    if (g[0] == o[0]) return ch->lp_keep;
    return base_of(ch, g[0]) == base_of(ch, o[0]) ? ch->lp_same : ch->lp_other;
}

static double keep(NativeChannel *ch, Py_UCS4 c) {
    double lp;
    if (c < KEEP_RANGE) return ch->keep_lp[c];
    return find_rule(ch, &c, 1, &c, 1, &lp) ? lp : ch->lp_keep;
}

static double core_dp(NativeChannel *ch, const Py_UCS4 *o, Py_ssize_t m, const Py_UCS4 *g, Py_ssize_t n);

static double core(NativeChannel *ch, const Py_UCS4 *o, Py_ssize_t m, const Py_UCS4 *g, Py_ssize_t n) {
    if (m > CORE_MAX || n > CORE_MAX || (m <= 1 && n <= 1)) return core_dp(ch, o, m, g, n);
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < m; i++) { h ^= o[i]; h *= 1099511628211ULL; }
    h ^= 0xff; h *= 1099511628211ULL;
    for (Py_ssize_t i = 0; i < n; i++) { h ^= g[i]; h *= 1099511628211ULL; }
    struct CoreEntry *e = &ch->cache[(h >> 16) & (CACHE_SIZE - 1)];
    if (e->used && e->m == m && e->n == n && !memcmp(e->o, o, sizeof(Py_UCS4) * m) &&
        !memcmp(e->g, g, sizeof(Py_UCS4) * n))
        return e->value;
    double v = core_dp(ch, o, m, g, n);
    memcpy(e->o, o, sizeof(Py_UCS4) * m);
    memcpy(e->g, g, sizeof(Py_UCS4) * n);
    e->m = (int8_t)m; e->n = (int8_t)n; e->used = 1; e->value = v;
    return v;
}

static double core_dp(NativeChannel *ch, const Py_UCS4 *o, Py_ssize_t m, const Py_UCS4 *g, Py_ssize_t n) {
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
                    if (lg == 0 && lo == 1 && o[j] < KEEP_RANGE) lp = ch->ins_lp[o[j]];
                    else if (lg == 1 && lo == 0 && g[i] < KEEP_RANGE) lp = ch->del_lp[g[i]];
                    else if (lg <= 1 && lo <= 1) lp = single(ch, g + i, lg, o + j, lo);
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

/* Levenshtein distance by Hyyro's bit-parallel algorithm: one pattern (the token or its
 * skeleton, at most MAXS code points) against many short strings, a word of bits per column. */
typedef struct { Py_UCS4 c[64]; uint64_t mask[64]; uint64_t last; int len; } Pattern;  /* c: hash table */

#define NO_CHAR 0xFFFFFFFFu
static int pattern_slot(const Pattern *p, Py_UCS4 c) {
    int k = (int)((c * 0x9E3779B1u) >> 26);
    while (p->c[k] != NO_CHAR && p->c[k] != c) k = (k + 1) & 63;
    return k;
}

static void pattern_init(Pattern *p, const Py_UCS4 *a, Py_ssize_t n) {
    memset(p->c, 0xFF, sizeof(p->c));
    p->len = (int)n;
    p->last = n ? (uint64_t)1 << (n - 1) : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int k = pattern_slot(p, a[i]);
        if (p->c[k] == NO_CHAR) { p->c[k] = a[i]; p->mask[k] = 0; }
        p->mask[k] |= (uint64_t)1 << i;
    }
}

static Py_ssize_t levenshtein(const Pattern *p, const Py_UCS4 *b, Py_ssize_t m) {
    if (p->len == 0) return m;
    uint64_t pv = p->len == 64 ? ~(uint64_t)0 : ((uint64_t)1 << p->len) - 1, mv = 0;
    Py_ssize_t score = p->len;
    for (Py_ssize_t j = 0; j < m; j++) {
        int k = pattern_slot(p, b[j]);
        uint64_t eq = p->c[k] == NO_CHAR ? 0 : p->mask[k];
        uint64_t xv = eq | mv;
        uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
        uint64_t ph = mv | ~(xh | pv);
        uint64_t mh = pv & xh;
        if (ph & p->last) score++;
        else if (mh & p->last) score--;
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | ~(xv | ph);
        mv = ph & xv;
    }
    return score;
}

typedef struct { double key; Py_ssize_t index; } Ranked;

/* (r.key, r.index) < (key, index) */
static inline int ranked_less(const Ranked *r, double key, Py_ssize_t index) {
    return r->key < key || (r->key == key && r->index < index);
}

static PyMethodDef ch_methods[] = {
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


/* --------------------------------------------------------------- index -- */

/* A string of up to MAXS code points stored inline. */
#define MAXS 24
typedef struct { Py_UCS4 c[MAXS]; int32_t len; } Str;

typedef struct { uint64_t hash; int32_t variant; int32_t first; } Slot;  /* first: head of id chain */

typedef struct {
    PyObject_HEAD
    NativeChannel *channel;
    PyObject *golds;          /* list[str]: syllables, for returning */
    Str *gold_s;              /* UCS4 copies of golds */
    Py_ssize_t ngolds;
    Str *skel;                /* skeletons */
    Py_ssize_t nskel;
    int32_t *col_start, *col_len;   /* per skeleton: its syllables (gold ids, commonest first) */
    int32_t *col_ids;
    double *col_prior;
    int32_t per[3];
    double pre_distance, pre_prior; /* pre-rank weights: fuzzy.PRE_DISTANCE, fuzzy.PRE_PRIOR */
    Str *variants;            /* distinct delete-variants */
    Py_ssize_t nvariants;
    Slot *table;              /* open addressing over variants */
    Py_ssize_t tsize;
    int32_t *chain_next, *chain_skel;  /* linked lists of skeleton ids per variant */
    Py_ssize_t nchain;
    uint32_t *stamp;
    uint32_t now;
    uint8_t *dist_of;         /* per skeleton: its distance from the query, when stamp says it was seen */
    int32_t *near;            /* 3 x nskel: the skeletons seen at distance 0, 1, 2 (scratch of lookup) */
} NativeIndex;

static uint64_t str_hash(const Py_UCS4 *c, int32_t len) {
    uint64_t h = 1469598103934665603ULL;
    for (int32_t i = 0; i < len; i++) { h ^= c[i]; h *= 1099511628211ULL; }
    return h ^ (uint64_t)len;
}

static int str_eq(const Str *a, const Py_UCS4 *c, int32_t len) {
    return a->len == len && memcmp(a->c, c, sizeof(Py_UCS4) * len) == 0;
}

static int str_cmp(const Str *a, const Str *b) {
    int32_t n = a->len < b->len ? a->len : b->len;
    for (int32_t i = 0; i < n; i++)
        if (a->c[i] != b->c[i]) return a->c[i] < b->c[i] ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

static int to_str(PyObject *u, Str *out) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(u);
    if (n > MAXS) return 0;
    for (Py_ssize_t i = 0; i < n; i++) out->c[i] = PyUnicode_READ_CHAR(u, i);
    out->len = (int32_t)n;
    return 1;
}

static Py_ssize_t find_slot(NativeIndex *ix, const Py_UCS4 *c, int32_t len, uint64_t h) {
    Py_ssize_t i = (Py_ssize_t)(h & (uint64_t)(ix->tsize - 1));
    while (ix->table[i].variant >= 0) {
        if (ix->table[i].hash == h && str_eq(&ix->variants[ix->table[i].variant], c, len)) return i;
        i = (i + 1) & (ix->tsize - 1);
    }
    return i;
}

/* every distinct variant of s with up to `left` deletions, from position start on */
typedef void (*variant_fn)(void *ctx, const Py_UCS4 *c, int32_t len);
static void each_delete(const Str *s, int32_t start, int left, char *removed, variant_fn fn, void *ctx) {
    Py_UCS4 buf[MAXS];
    int32_t len = 0;
    for (int32_t i = 0; i < s->len; i++) if (!removed[i]) buf[len++] = s->c[i];
    fn(ctx, buf, len);
    if (left == 0) return;
    for (int32_t i = start; i < s->len; i++) {
        removed[i] = 1;
        each_delete(s, i + 1, left - 1, removed, fn, ctx);
        removed[i] = 0;
    }
}

typedef struct { NativeIndex *ix; int32_t skel; int err; } AddCtx;

static void add_variant(void *vctx, const Py_UCS4 *c, int32_t len) {
    AddCtx *ctx = (AddCtx *)vctx;
    NativeIndex *ix = ctx->ix;
    if (ctx->err) return;
    uint64_t h = str_hash(c, len);
    Py_ssize_t i = find_slot(ix, c, len, h);
    if (ix->table[i].variant < 0) {
        Str *v = &ix->variants[ix->nvariants];
        memcpy(v->c, c, sizeof(Py_UCS4) * len);
        v->len = len;
        ix->table[i].hash = h;
        ix->table[i].variant = (int32_t)ix->nvariants++;
        ix->table[i].first = -1;
    }
    /* one entry per (variant, skeleton): the chain head is the latest skeleton added */
    int32_t head = ix->table[i].first;
    if (head >= 0 && ix->chain_skel[head] == ctx->skel) return;
    ix->chain_skel[ix->nchain] = ctx->skel;
    ix->chain_next[ix->nchain] = head;
    ix->table[i].first = (int32_t)ix->nchain++;
}

static void ix_dealloc(NativeIndex *self) {
    Py_XDECREF(self->channel);
    Py_XDECREF(self->golds);
    void *ptrs[] = {self->gold_s, self->skel, self->col_start, self->col_len, self->col_ids, self->col_prior,
                    self->variants, self->table, self->chain_next, self->chain_skel, self->stamp,
                    self->dist_of, self->near};
    for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) PyMem_Free(ptrs[i]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* NativeIndex(channel, golds: list[str], skeletons: list[str], buckets: list[list[tuple[int, float]]],
 *             per: tuple[int, int, int], pre_rank: tuple[float, float], maxdist: int)
 * buckets[k]: (gold id, ln(count + 1)) of skeleton k, commonest first. */
static int ix_init(NativeIndex *self, PyObject *args, PyObject *kwds) {
    PyObject *channel, *golds, *skels, *buckets;
    int maxdist;
    if (!PyArg_ParseTuple(args, "OO!O!O!(iii)(dd)i", &channel, &PyList_Type, &golds, &PyList_Type, &skels,
                          &PyList_Type, &buckets, &self->per[0], &self->per[1], &self->per[2],
                          &self->pre_distance, &self->pre_prior, &maxdist))
        return -1;
    if (!PyObject_TypeCheck(channel, &NativeChannelType)) { PyErr_SetString(PyExc_TypeError, "channel"); return -1; }
    Py_INCREF(channel);
    self->channel = (NativeChannel *)channel;
    Py_INCREF(golds);
    self->golds = golds;
    self->ngolds = PyList_GET_SIZE(golds);
    self->nskel = PyList_GET_SIZE(skels);
    if (PyList_GET_SIZE(buckets) != self->nskel) { PyErr_SetString(PyExc_ValueError, "buckets"); return -1; }
    self->gold_s = PyMem_Malloc(sizeof(Str) * (self->ngolds + 1));
    self->skel = PyMem_Malloc(sizeof(Str) * (self->nskel + 1));
    self->col_start = PyMem_Malloc(sizeof(int32_t) * (self->nskel + 1));
    self->col_len = PyMem_Malloc(sizeof(int32_t) * (self->nskel + 1));
    self->stamp = PyMem_Calloc(self->nskel + 1, sizeof(uint32_t));
    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < self->nskel; k++) total += PyList_GET_SIZE(PyList_GET_ITEM(buckets, k));
    self->col_ids = PyMem_Malloc(sizeof(int32_t) * (total + 1));
    self->col_prior = PyMem_Malloc(sizeof(double) * (total + 1));
    if (!self->gold_s || !self->skel || !self->col_start || !self->col_len || !self->stamp || !self->col_ids ||
        !self->col_prior) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < self->ngolds; i++) {
        PyObject *g = PyList_GET_ITEM(golds, i);
        if (!PyUnicode_Check(g) || !to_str(g, &self->gold_s[i])) { PyErr_SetString(PyExc_ValueError, "gold"); return -1; }
    }
    Py_ssize_t pos = 0, est = 1;
    for (Py_ssize_t k = 0; k < self->nskel; k++) {
        PyObject *sk = PyList_GET_ITEM(skels, k), *b = PyList_GET_ITEM(buckets, k);
        if (!PyUnicode_Check(sk) || !to_str(sk, &self->skel[k])) { PyErr_SetString(PyExc_ValueError, "skeleton"); return -1; }
        self->col_start[k] = (int32_t)pos;
        self->col_len[k] = (int32_t)PyList_GET_SIZE(b);
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(b); j++) {
            PyObject *t = PyList_GET_ITEM(b, j);
            self->col_ids[pos] = (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(t, 0));
            self->col_prior[pos] = PyFloat_AsDouble(PyTuple_GET_ITEM(t, 1));
            pos++;
        }
        /* number of delete-variants: sum over d <= maxdist of C(len, d) */
        Py_ssize_t n = self->skel[k].len, c = 1;
        for (int d = 0; d <= maxdist; d++) { est += c; c = c * (n - d) / (d + 1); }
    }
    if (PyErr_Occurred()) return -1;
    self->tsize = 1;
    while (self->tsize < est * 2) self->tsize <<= 1;
    self->variants = PyMem_Malloc(sizeof(Str) * est);
    self->table = PyMem_Malloc(sizeof(Slot) * self->tsize);
    self->chain_next = PyMem_Malloc(sizeof(int32_t) * est);
    self->chain_skel = PyMem_Malloc(sizeof(int32_t) * est);
    if (!self->variants || !self->table || !self->chain_next || !self->chain_skel) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < self->tsize; i++) self->table[i].variant = -1;
    /* skeletons arrive sorted (the caller sorts them): index order is code-point order */
    self->dist_of = PyMem_Malloc(self->nskel + 1);
    self->near = PyMem_Malloc(sizeof(int32_t) * 3 * (self->nskel + 1));
    if (!self->dist_of || !self->near) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t k = 1; k < self->nskel; k++) {
        if (str_cmp(&self->skel[k - 1], &self->skel[k]) >= 0) {
            PyErr_SetString(PyExc_ValueError, "skeletons must be sorted and distinct");
            return -1;
        }
    }
    for (Py_ssize_t k = 0; k < self->nskel; k++) {
        char removed[MAXS] = {0};
        AddCtx ctx = {self, (int32_t)k, 0};
        each_delete(&self->skel[k], 0, maxdist, removed, add_variant, &ctx);
    }
    return 0;
}

typedef struct {
    NativeIndex *ix; Pattern qp; int maxdist;
    Py_UCS4 seen[64][MAXS]; int32_t seen_len[64]; int nseen;
} FindCtx;

static void find_variant(void *vctx, const Py_UCS4 *c, int32_t len) {
    FindCtx *ctx = (FindCtx *)vctx;
    NativeIndex *ix = ctx->ix;
    for (int i = 0; i < ctx->nseen; i++)
        if (ctx->seen_len[i] == len && memcmp(ctx->seen[i], c, sizeof(Py_UCS4) * len) == 0) return;
    if (ctx->nseen < 64) {
        memcpy(ctx->seen[ctx->nseen], c, sizeof(Py_UCS4) * len);
        ctx->seen_len[ctx->nseen++] = len;
    }
    Py_ssize_t slot = find_slot(ix, c, len, str_hash(c, len));
    if (ix->table[slot].variant < 0) return;
    for (int32_t e = ix->table[slot].first; e >= 0; e = ix->chain_next[e]) {
        int32_t k = ix->chain_skel[e];
        if (ix->stamp[k] == ix->now) continue;
        ix->stamp[k] = ix->now;
        Py_ssize_t d = levenshtein(&ctx->qp, ix->skel[k].c, ix->skel[k].len);
        ix->dist_of[k] = (uint8_t)(d > ctx->maxdist ? 255 : d);
    }
}

typedef struct { double score; const Str *s; Py_ssize_t id; double lp, prior; } Scored;

static int cmp_scored(const void *x, const void *y) {
    const Scored *a = (const Scored *)x, *b = (const Scored *)y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return str_cmp(a->s, b->s);
}

/* lookup(token, q, maxdist, pool, limit, log_total) -> list[(syllable, channel logp, ln prior)], best first:
 * the C twin of FuzzyIndex.lookup's pure path (skeletons_near, _neighbours, Channel.best, ranking). */
static PyObject *ix_lookup(NativeIndex *self, PyObject *args) {
    PyObject *token, *qs;
    int maxdist;
    Py_ssize_t pool, limit;
    double log_total;
    if (!PyArg_ParseTuple(args, "UUinnd", &token, &qs, &maxdist, &pool, &limit, &log_total)) return NULL;
    Str q, o;
    if (!to_str(qs, &q) || !to_str(token, &o)) return PyList_New(0);
    if (++self->now == 0) { memset(self->stamp, 0, sizeof(uint32_t) * self->nskel); self->now = 1; }
    FindCtx *ctx = PyMem_Calloc(1, sizeof(FindCtx));
    if (!ctx) return PyErr_NoMemory();
    ctx->ix = self; ctx->maxdist = maxdist;
    pattern_init(&ctx->qp, q.c, q.len);
    char removed[MAXS] = {0};
    each_delete(&q, 0, maxdist, removed, find_variant, ctx);
    PyObject *out = NULL;
    int32_t *ids = NULL;
    double *offs = NULL, *priors = NULL;
    Ranked *rank = NULL;
    /* the skeletons seen, nearest first, in code-point order within one distance: one sweep
       over the stamps is cheaper than sorting them */
    Py_ssize_t found[3] = {0, 0, 0};
    for (int32_t sk = 0; sk < self->nskel; sk++) {
        if (self->stamp[sk] == self->now && self->dist_of[sk] <= 2) {
            int d = self->dist_of[sk];
            self->near[d * self->nskel + found[d]++] = sk;
        }
    }
    Py_ssize_t ng = 0, cap = 0;
    for (int d = 0; d <= 2; d++) {
        for (Py_ssize_t f = 0; f < found[d]; f++) {
            int32_t sk = self->near[d * self->nskel + f];
            int32_t take = self->col_len[sk] < self->per[d] ? self->col_len[sk] : self->per[d];
            if (ng + take > cap) {
                cap = (ng + take) * 2;
                int32_t *i2 = PyMem_Realloc(ids, sizeof(int32_t) * cap);
                if (i2) ids = i2;
                double *o2 = PyMem_Realloc(offs, sizeof(double) * cap);
                if (o2) offs = o2;
                double *p2 = PyMem_Realloc(priors, sizeof(double) * cap);
                if (p2) priors = p2;
                if (!i2 || !o2 || !p2) { PyErr_NoMemory(); goto done; }
            }
            for (int32_t j = 0; j < take; j++) {
                Py_ssize_t at = self->col_start[sk] + j;
                double prior = self->col_prior[at];
                ids[ng] = self->col_ids[at];
                offs[ng] = self->pre_distance * d - self->pre_prior * prior;
                priors[ng] = prior;
                ng++;
            }
        }
    }
    if (pool > ng) pool = ng;
    if (pool < 0) pool = 0;
    if (pool > 256) pool = 256;
    rank = PyMem_Malloc(sizeof(Ranked) * (pool + 1));
    if (!rank) { PyErr_NoMemory(); goto done; }
    /* keep the `pool` smallest (key, index): a max-heap on (key, index) whose top is the worst kept.
     * Indices only grow, so a newcomer beats the top only with a smaller key (ties: earlier index stays). */
    Py_ssize_t kept = 0;
    Pattern op;
    pattern_init(&op, o.c, o.len);
    for (Py_ssize_t i = 0; i < ng && pool > 0; i++) {
        const Str *g = &self->gold_s[ids[i]];
        /* the distance is at least the difference in length: when even that cannot beat the
           worst kept, the distance itself need not be worked out */
        if (kept == pool && !(offs[i] + (double)(g->len > o.len ? g->len - o.len : o.len - g->len) < rank[0].key))
            continue;
        double key = offs[i] + (double)levenshtein(&op, g->c, g->len);
        Py_ssize_t at;
        if (kept < pool) {
            at = kept++;
            while (at > 0 && ranked_less(&rank[(at - 1) / 2], key, i)) { rank[at] = rank[(at - 1) / 2]; at = (at - 1) / 2; }
        } else {
            if (!(key < rank[0].key)) continue;
            at = 0;
            for (;;) {  /* sift the newcomer down from the top (indices are distinct: no ties) */
                Py_ssize_t c = 2 * at + 1;
                if (c >= kept) break;
                if (c + 1 < kept && ranked_less(&rank[c], rank[c + 1].key, rank[c + 1].index)) c++;
                if (ranked_less(&rank[c], key, i)) break;
                rank[at] = rank[c];
                at = c;
            }
        }
        rank[at].key = key;
        rank[at].index = i;
    }
    pool = kept;
    Scored sc[256];
    for (Py_ssize_t r = 0; r < pool; r++) {
        Py_ssize_t i = rank[r].index;
        const Str *g = &self->gold_s[ids[i]];
        sc[r].s = g;
        sc[r].id = ids[i];
        sc[r].lp = logp(self->channel, o.c, o.len, g->c, g->len);
        sc[r].prior = priors[i] - log_total;
        sc[r].score = sc[r].lp + sc[r].prior;
    }
    qsort(sc, pool, sizeof(Scored), cmp_scored);
    if (limit > pool) limit = pool;
    if (limit < 0) limit = 0;
    out = PyList_New(limit);
    if (!out) goto done;
    for (Py_ssize_t r = 0; r < limit; r++) {
        PyObject *item = Py_BuildValue("(Odd)", PyList_GET_ITEM(self->golds, sc[r].id), sc[r].lp, sc[r].prior);
        if (!item) { Py_CLEAR(out); goto done; }
        PyList_SET_ITEM(out, r, item);
    }
done:
    PyMem_Free(ctx);
    PyMem_Free(ids);
    PyMem_Free(offs);
    PyMem_Free(priors);
    PyMem_Free(rank);
    return out;
}

static PyMethodDef ix_methods[] = {
    {"lookup", (PyCFunction)ix_lookup, METH_VARARGS, "lookup(token, q, maxdist, pool)"},
    {NULL}
};

static PyTypeObject NativeIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "vnfix._native.NativeIndex",
    .tp_basicsize = sizeof(NativeIndex),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)ix_init,
    .tp_dealloc = (destructor)ix_dealloc,
    .tp_methods = ix_methods,
    .tp_doc = "NativeIndex(channel, golds, skeletons, buckets, per, maxdist): vnfix.fuzzy's index in C",
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "vnfix._native", "Fast paths of vnfix.", -1, NULL};

PyMODINIT_FUNC PyInit__native(void) {
    if (PyType_Ready(&NativeLMType) < 0 || PyType_Ready(&NativeChannelType) < 0 ||
        PyType_Ready(&NativeIndexType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&NativeLMType);
    Py_INCREF(&NativeChannelType);
    PyModule_AddObject(m, "NativeLM", (PyObject *)&NativeLMType);
    PyModule_AddObject(m, "NativeChannel", (PyObject *)&NativeChannelType);
    Py_INCREF(&NativeIndexType);
    PyModule_AddObject(m, "NativeIndex", (PyObject *)&NativeIndexType);
    return m;
}
