/*
 * saas_metrics.h
 *		Shared argument checks for the saas_metrics extension.
 *
 * Every function validates its arguments the same way, so that a user sees
 * the same SQLSTATE and the same wording for the same mistake everywhere:
 * 22023 (invalid_parameter_value) for a value outside its domain and 22003
 * (numeric_value_out_of_range) for a result that does not fit its type.
 */
#ifndef SAAS_METRICS_H
#define SAAS_METRICS_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/numeric.h"

extern void sm_check_count(int64 value, const char *argname);
extern void sm_check_fraction(float8 value, const char *argname);
extern void sm_check_finite(float8 value, const char *argname);
extern Numeric sm_check_money(Numeric value, const char *argname, bool allow_negative);
extern int	sm_numeric_sign(Numeric value);
extern Numeric sm_float8_numeric(float8 value);
extern MemoryContext sm_aggregate_context(FunctionCallInfo fcinfo, const char *funcname);

/* Text input of the summary types. */
extern const char *sm_skip_space(const char *p);
extern const char *sm_read_int64(const char *p, int64 *value, const char *typname, const char *str);

/*
 * Equality and hashing of summaries.  A summary type defines its canonical
 * form, a byte string in which two summaries are equal exactly when they
 * hold the same information (e.g. pairs sorted, padding zeroed); its =, <>
 * and hash support functions are then one line each.  *len receives the
 * length of the form; it may point into the datum itself when that is
 * already canonical.
 */
typedef const void *(*sm_canonical_form) (Datum summary, Size *len);

extern bool sm_summaries_equal(Datum a, Datum b, sm_canonical_form canonical);
extern Datum sm_summary_hash(Datum summary, sm_canonical_form canonical);
extern Datum sm_summary_hash_extended(Datum summary, uint64 seed, sm_canonical_form canonical);

#endif
