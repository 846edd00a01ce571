/*
 * portable_form.h
 *		The portable form of a stored summary: what its binary (send/recv)
 *		and text (in/out) forms are made of.
 *
 * A summary is written field by field in network byte order (pq_sendint8 to
 * pq_sendint64; floats with pq_sendfloat8, as their IEEE bit pattern, so
 * they read back exactly), starting with a version byte.  It never holds an
 * OID, a pointer, padding, or a hash (PostgreSQL's hash functions give other
 * values on big-endian machines): hashes are computed again when read.  The
 * binary form is that encoding; the text form is its base64.  So a stored
 * summary survives pg_dump and pg_restore on any machine, and moves between
 * servers (Citus nodes) of any byte order.
 *
 * Input reads the encoding with a bounds-checked reader and checks it
 * completely: a value that is not one the type's writer could have written
 * is refused with 22P03 (a text form that is not base64: 22P02), so no
 * reader can be led astray by a damaged or crafted value.
 */
#ifndef SM_PORTABLE_FORM_H
#define SM_PORTABLE_FORM_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/memutils.h"

/*
 * The longest encoding whose text form fits in a text value with 1 MB to
 * spare for the rest of a row (pg_dump's COPY writes a row as one line of at
 * most 1 GB).  base64 writes 4 characters for every 3 bytes.  A summary that
 * may grow this large refuses the input that would take it beyond, when it
 * is made, so that every stored summary can be dumped.
 */
#define SM_ENCODING_MAX ((Size) ((MaxAllocSize - 1024 * 1024) / 4) * 3)

typedef struct SmReader
{
	const unsigned char *p;
	const unsigned char *end;
	const char *typname;		/* named in errors */
} SmReader;

/* 22P03: "invalid <typname> value: <what>" */
extern void sm_corrupt(const char *typname, const char *what) pg_attribute_noreturn();

/* A reader of the encoding in a text form (base64) or a binary one. */
extern void sm_reader_of_text(SmReader *rd, const char *str, const char *typname);
extern void sm_reader_of_recv(SmReader *rd, StringInfo buf, const char *typname);

extern const unsigned char *sm_take_bytes(SmReader *rd, Size n);
extern uint8 sm_take_u8(SmReader *rd);
extern int32 sm_take_i32(SmReader *rd);
extern int64 sm_take_i64(SmReader *rd);
extern float8 sm_take_f8(SmReader *rd);
/* The end of the value: nothing may follow. */
extern void sm_reader_done(SmReader *rd);

/* The bytes not read yet (signed, to compare with counts read). */
static inline int64
sm_reader_left(const SmReader *rd)
{
	return (int64) (rd->end - rd->p);
}

/* The text form of an encoding: its base64 (54000 beyond SM_ENCODING_MAX). */
extern char *sm_encoding_text(StringInfo encoding, const char *typname);

#endif
