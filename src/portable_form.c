/*
 * portable_form.c
 *		Reading and writing the portable form of stored summaries: a
 *		bounds-checked reader of network-order fields, and the base64 text
 *		form.  See portable_form.h.
 */
#include "postgres.h"

#include "common/base64.h"
#include "libpq/pqformat.h"
#include "parser/scansup.h"

#include "portable_form.h"

void
sm_corrupt(const char *typname, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid %s value: %s", typname, what)));
}

void
sm_reader_of_text(SmReader *rd, const char *str, const char *typname)
{
	int			len = strlen(str);
	char	   *compact = palloc(len + 1);
	int			ncompact = 0;
	char	   *bytes;
	int			nbytes;

	/* base64 is often wrapped in lines (encode(..., 'base64') does): skip spaces */
	for (int i = 0; i < len; i++)
		if (!scanner_isspace(str[i]))
			compact[ncompact++] = str[i];
	bytes = palloc(pg_b64_dec_len(ncompact) + 1);
	nbytes = pg_b64_decode(compact, ncompact, bytes, pg_b64_dec_len(ncompact));
	if (nbytes < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", typname),
				 errhint("The text form of %s is base64, as its output function writes it.", typname)));
	pfree(compact);
	rd->p = (const unsigned char *) bytes;
	rd->end = rd->p + nbytes;
	rd->typname = typname;
}

void
sm_reader_of_recv(SmReader *rd, StringInfo buf, const char *typname)
{
	int			len = buf->len - buf->cursor;

	rd->p = (const unsigned char *) pq_getmsgbytes(buf, len);
	rd->end = rd->p + len;
	rd->typname = typname;
}

const unsigned char *
sm_take_bytes(SmReader *rd, Size n)
{
	const unsigned char *at = rd->p;

	if ((Size) sm_reader_left(rd) < n)
		sm_corrupt(rd->typname, "truncated");
	rd->p += n;
	return at;
}

uint8
sm_take_u8(SmReader *rd)
{
	return *sm_take_bytes(rd, 1);
}

int32
sm_take_i32(SmReader *rd)
{
	uint32		v;

	memcpy(&v, sm_take_bytes(rd, 4), 4);
	return (int32) pg_ntoh32(v);
}

int64
sm_take_i64(SmReader *rd)
{
	uint64		v;

	memcpy(&v, sm_take_bytes(rd, 8), 8);
	return (int64) pg_ntoh64(v);
}

/* A float8 written by pq_sendfloat8: its bit pattern as an int64. */
float8
sm_take_f8(SmReader *rd)
{
	union
	{
		int64		i;
		float8		f;
	}			v;

	v.i = sm_take_i64(rd);
	return v.f;
}

void
sm_reader_done(SmReader *rd)
{
	if (rd->p != rd->end)
		sm_corrupt(rd->typname, "trailing bytes");
}

char *
sm_encoding_text(StringInfo encoding, const char *typname)
{
	char	   *result;
	int			len;

	if ((Size) encoding->len > SM_ENCODING_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s value is too large for its text form", typname),
				 errdetail("Its encoding takes %d bytes; at most %zu can be written in base64.",
						   encoding->len, SM_ENCODING_MAX)));
	result = palloc(pg_b64_enc_len(encoding->len) + 1);
	len = pg_b64_encode(encoding->data, encoding->len, result, pg_b64_enc_len(encoding->len));
	if (len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s value cannot be written in base64", typname)));
	result[len] = '\0';
	return result;
}
