/*
 * nps.c
 *		Net Promoter Score: the closed formula, the category of a score, and
 *		the nps_summary type with its aggregates and accessors.
 *
 * nps_summary is a fixed-size (24-byte) pass-by-reference type holding the
 * three category counts.  It is both the result of nps_agg() and the state
 * of every NPS aggregate, so the state is a real type of the extension:
 * Citus pushes partial aggregation down to its workers only for aggregates
 * whose state type is not a pseudo-type such as internal.
 */
#include "postgres.h"

#include "common/int.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "saas_metrics.h"

typedef struct NpsSummary
{
	int64		promoters;		/* scores 9 and 10 */
	int64		passives;		/* scores 7 and 8 */
	int64		detractors;		/* scores 0 to 6 */
} NpsSummary;

#define PG_GETARG_NPS(n) ((NpsSummary *) PG_GETARG_POINTER(n))

static float8
nps_score(int64 promoters, int64 passives, int64 detractors, bool *isnull)
{
	int64		total;

	if (pg_add_s64_overflow(promoters, passives, &total) ||
		pg_add_s64_overflow(total, detractors, &total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number of responses is out of range for type bigint")));
	*isnull = (total == 0);
	if (total == 0)
		return 0.0;
	return 100.0 * ((float8) promoters - (float8) detractors) / (float8) total;
}

static void
check_score(int32 score)
{
	if (score < 0 || score > 10)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("NPS score must be between 0 and 10"),
				 errdetail("score is %d.", score)));
}

PG_FUNCTION_INFO_V1(sm_nps_counts);
Datum
sm_nps_counts(PG_FUNCTION_ARGS)
{
	int64		promoters = PG_GETARG_INT64(0);
	int64		passives = PG_GETARG_INT64(1);
	int64		detractors = PG_GETARG_INT64(2);
	bool		isnull;
	float8		score;

	sm_check_count(promoters, "promoters");
	sm_check_count(passives, "passives");
	sm_check_count(detractors, "detractors");
	score = nps_score(promoters, passives, detractors, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(score);
}

PG_FUNCTION_INFO_V1(sm_nps_category);
Datum
sm_nps_category(PG_FUNCTION_ARGS)
{
	int32		score = PG_GETARG_INT32(0);

	check_score(score);
	if (score >= 9)
		PG_RETURN_TEXT_P(cstring_to_text("promoter"));
	if (score >= 7)
		PG_RETURN_TEXT_P(cstring_to_text("passive"));
	PG_RETURN_TEXT_P(cstring_to_text("detractor"));
}

/* I/O: "promoters=3 passives=2 detractors=1", and three int8 in binary. */

/*
 * Read "name = integer" (spaces optional) at p into *value; return the
 * position after it, or NULL if the text is not that.
 */
static const char *
read_count(const char *p, const char *name, int64 *value, const char *str)
{
	size_t		len = strlen(name);

	p = sm_skip_space(p);
	if (strncmp(p, name, len) != 0)
		return NULL;
	p = sm_skip_space(p + len);
	if (*p != '=')
		return NULL;
	return sm_read_int64(sm_skip_space(p + 1), value, "nps_summary", str);
}

/*
 * What every reader relies on: no count is negative.  (Each count is a
 * bigint of its own; a reader that needs their sum, nps() or responses(),
 * raises 22003 when it does not fit.)
 */
static void
check_summary(const NpsSummary *s)
{
	sm_check_count(s->promoters, "promoters");
	sm_check_count(s->passives, "passives");
	sm_check_count(s->detractors, "detractors");
}

PG_FUNCTION_INFO_V1(nps_summary_in);
Datum
nps_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	NpsSummary *result = palloc(sizeof(NpsSummary));
	const char *p = str;

	p = read_count(p, "promoters", &result->promoters, str);
	if (p)
		p = read_count(p, "passives", &result->passives, str);
	if (p)
		p = read_count(p, "detractors", &result->detractors, str);
	if (p == NULL || *sm_skip_space(p) != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type nps_summary: \"%s\"", str),
				 errhint("Write it as 'promoters=3 passives=2 detractors=1'.")));
	check_summary(result);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(nps_summary_out);
Datum
nps_summary_out(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS(0);

	PG_RETURN_CSTRING(psprintf("promoters=" INT64_FORMAT " passives=" INT64_FORMAT
							   " detractors=" INT64_FORMAT,
							   s->promoters, s->passives, s->detractors));
}

PG_FUNCTION_INFO_V1(nps_summary_recv);
Datum
nps_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	NpsSummary *result = palloc(sizeof(NpsSummary));

	result->promoters = pq_getmsgint64(buf);
	result->passives = pq_getmsgint64(buf);
	result->detractors = pq_getmsgint64(buf);
	check_summary(result);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(nps_summary_send);
Datum
nps_summary_send(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, s->promoters);
	pq_sendint64(&buf, s->passives);
	pq_sendint64(&buf, s->detractors);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * The state to update: inside an aggregate the state lives in the aggregate
 * context and is ours to change in place (as int8inc does); called as a plain
 * function, the argument must not be scribbled on, so work on a copy.
 */
static NpsSummary *
writable_state(FunctionCallInfo fcinfo)
{
	NpsSummary *state = PG_GETARG_NPS(0);

	if (!AggCheckCallContext(fcinfo, NULL))
	{
		NpsSummary *copy = palloc(sizeof(NpsSummary));

		*copy = *state;
		state = copy;
	}
	return state;
}

static void
add_count(int64 *counter, int64 n)
{
	if (pg_add_s64_overflow(*counter, n, counter))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number of NPS responses is out of range for type bigint")));
}

PG_FUNCTION_INFO_V1(nps_summary_add);
Datum
nps_summary_add(PG_FUNCTION_ARGS)
{
	NpsSummary *state = writable_state(fcinfo);
	int32		score = PG_GETARG_INT32(1);

	check_score(score);
	if (score >= 9)
		add_count(&state->promoters, 1);
	else if (score >= 7)
		add_count(&state->passives, 1);
	else
		add_count(&state->detractors, 1);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(nps_summary_combine);
Datum
nps_summary_combine(PG_FUNCTION_ARGS)
{
	NpsSummary *state = writable_state(fcinfo);
	NpsSummary *other = PG_GETARG_NPS(1);

	add_count(&state->promoters, other->promoters);
	add_count(&state->passives, other->passives);
	add_count(&state->detractors, other->detractors);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(nps_summary_score);
Datum
nps_summary_score(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS(0);
	bool		isnull;
	float8		score = nps_score(s->promoters, s->passives, s->detractors, &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(score);
}

PG_FUNCTION_INFO_V1(nps_summary_promoters);
Datum
nps_summary_promoters(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_NPS(0)->promoters);
}

PG_FUNCTION_INFO_V1(nps_summary_passives);
Datum
nps_summary_passives(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_NPS(0)->passives);
}

PG_FUNCTION_INFO_V1(nps_summary_detractors);
Datum
nps_summary_detractors(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_NPS(0)->detractors);
}

PG_FUNCTION_INFO_V1(nps_summary_responses);
Datum
nps_summary_responses(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS(0);
	int64		total = s->promoters;

	add_count(&total, s->passives);
	add_count(&total, s->detractors);
	PG_RETURN_INT64(total);
}

/*
 * Equality: the three counts.  The 24 bytes are the canonical form (three
 * int64 without padding), so equal summaries hash alike.
 */
static const void *
nps_canonical(Datum summary, Size *len)
{
	*len = sizeof(NpsSummary);
	return DatumGetPointer(summary);
}

PG_FUNCTION_INFO_V1(nps_summary_eq);
Datum
nps_summary_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(sm_summaries_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), nps_canonical));
}

PG_FUNCTION_INFO_V1(nps_summary_ne);
Datum
nps_summary_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!sm_summaries_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), nps_canonical));
}

PG_FUNCTION_INFO_V1(nps_summary_hash);
Datum
nps_summary_hash(PG_FUNCTION_ARGS)
{
	return sm_summary_hash(PG_GETARG_DATUM(0), nps_canonical);
}

PG_FUNCTION_INFO_V1(nps_summary_hash_extended);
Datum
nps_summary_hash_extended(PG_FUNCTION_ARGS)
{
	return sm_summary_hash_extended(PG_GETARG_DATUM(0), PG_GETARG_INT64(1), nps_canonical);
}
