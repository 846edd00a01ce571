/*
 * book_keys.c
 *		Customer ids in a book: their hash, their order and their text form.
 *
 * A bigint id is held as itself; a text or uuid id as an image in the
 * book's arena (a varlena with a 4-byte header, or 16 bytes), the key being
 * its offset.  Ids are compared by value (bigint) or by bytes (text, uuid):
 * text ids are equal when their bytes are, as in a deterministic collation
 * (lower() them first for case-insensitive ids).  The hash spreads the
 * whole id, so that no family of ids shares one; ids with equal hashes are
 * ordered by the ids themselves, so that a run of colliding ids costs a
 * sort, never a comparison of every pair.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/uuid.h"

#include "book.h"

/* MurmurHash3's 64-bit finalizer: every bit of the id reaches the result. */
static inline uint64
mix64(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return k;
}

uint32
sm_key_hash(BookKeyKind kind, const char *arena, int64 key)
{
	switch (kind)
	{
		case BOOK_KEY_BIGINT:
			return (uint32) mix64((uint64) key);
		case BOOK_KEY_TEXT:
			return hash_bytes((const unsigned char *) VARDATA(arena + key),
							  VARSIZE(arena + key) - VARHDRSZ);
		default:
			return hash_bytes((const unsigned char *) arena + key, UUID_LEN);
	}
}

/* The order of ids with equal hashes: by value, or by bytes then length. */
int
sm_key_compare(BookKeyKind kind, const char *arena_a, int64 a, const char *arena_b, int64 b)
{
	if (kind == BOOK_KEY_BIGINT)
		return (a > b) - (a < b);
	switch (kind)
	{
		case BOOK_KEY_TEXT:
			{
				const char *ia = arena_a + a;
				const char *ib = arena_b + b;
				Size		la = VARSIZE(ia) - VARHDRSZ;
				Size		lb = VARSIZE(ib) - VARHDRSZ;
				int			c = memcmp(VARDATA(ia), VARDATA(ib), Min(la, lb));

				return c != 0 ? c : (la > lb) - (la < lb);
			}
		default:
			return memcmp(arena_a + a, arena_b + b, UUID_LEN);
	}
}

/* The bytes an id's image takes in an arena (before alignment). */
Size
sm_key_image_size(BookKeyKind kind, const char *image)
{
	return kind == BOOK_KEY_TEXT ? VARSIZE(image) : UUID_LEN;
}

/* The id as text: for drill-down results and for error messages. */
char *
sm_key_cstring(BookKeyKind kind, const char *arena, int64 key)
{
	switch (kind)
	{
		case BOOK_KEY_BIGINT:
			return DatumGetCString(DirectFunctionCall1(int8out, Int64GetDatum(key)));
		case BOOK_KEY_TEXT:
			return text_to_cstring((const text *) (arena + key));
		default:
			return DatumGetCString(DirectFunctionCall1(uuid_out, PointerGetDatum(arena + key)));
	}
}

const char *
sm_key_kind_name(BookKeyKind kind)
{
	switch (kind)
	{
		case BOOK_KEY_BIGINT:
			return "bigint";
		case BOOK_KEY_TEXT:
			return "text";
		default:
			return "uuid";
	}
}
