/*
 * book_stream.h
 *		A book read as a stream of customers, merged from sorted sources:
 *		flat books in memory and runs spilled to temporary files.
 *
 * Every source lists its customers in ascending (hash, id) order, so any
 * number of them merge in one pass with a binary heap, and a customer
 * present in several is met once, with the rows of all.  The combine
 * function's books, rollup() and a spilled log are all read this way:
 * written into one flat book (book_merge.c), written into one longer run
 * (book_spill.c), or walked customer by customer by a reader
 * (customer_timeline.c), which never builds the merged book at all.
 */
#ifndef SM_BOOK_STREAM_H
#define SM_BOOK_STREAM_H

#include "lib/binaryheap.h"
#include "storage/buffile.h"
#include "storage/fileset.h"

#include "book.h"

/* One sorted source, at its current customer. */
typedef struct StreamSource
{
	/* the current customer: its id is key in arena, as in a flat book */
	const BookCustomer *customer;
	const char *arena;
	const BookRow *rows;
	const uint8 *row_scales;	/* NULL: its rows are at its scale */

	MemoryContext cxt;			/* of the stream, where buffers grow */

	/* a flat book, walked, or a sorted log, next its next row */
	const BookFlat *flat;
	BookWalk	walk;
	const Book *log_book;
	int32		next;

	/* or a run in a temporary file (book_spill.c), read through a buffer */
	BufFile    *file;
	char	   *read_buffer;
	Size		read_capacity;
	Size		read_len;
	Size		read_pos;

	BookCustomer run_customer;	/* the current one, of a log or a run */
	BookRowBuffer buffer;		/* a log's customer's rows */
} StreamSource;

typedef struct BookStream
{
	BookKeyKind kind;
	StreamSource *sources;
	int			nsources;
	binaryheap *heap;			/* of source numbers, smallest customer first;
								 * NULL: few sources, scanned */
	bool	   *live;			/* (scanned) the sources not at their end */
	int		   *same;			/* the sources holding the current customer */
	int			nsame;

	/* the current customer, valid until the next call of sm_stream_next */
	BookCustomer customer;		/* key: the id or its image's offset in arena */
	const char *arena;
	const BookRow *rows;
	const uint8 *row_scales;	/* NULL: its rows are at its scale */
	BookRowBuffer buffer;		/* where the rows of several sources meet */
	int			max_scale;		/* of the customers met so far */

	/* only the customers whose hash is in [hash_from, hash_to) */
	uint32		hash_from;
	uint64		hash_to;

	/* at most this many customers, rows and bytes of id images, if bounded */
	bool		bounded;
	int64		most_customers;
	int64		most_rows;
	int64		most_arena;
} BookStream;

extern BookStream *sm_stream_begin(BookKeyKind kind, BookFlat **flats, int nflats,
								   BufFile **files, int nfiles, const Book *log_book);
extern bool sm_stream_next(BookStream *stream);
extern void sm_stream_rewind(BookStream *stream);
extern void sm_stream_limit(BookStream *stream, uint32 hash_from, uint64 hash_to);
extern void sm_stream_end(BookStream *stream);
extern BookStream *sm_book_stream(Book *book, BookFlat *header);
extern BookStream *sm_book_input(Datum d, BookFlat *header, BookFlat **flat);

/* book_spill.c: runs, and the run format */
extern bool sm_book_has_runs(const Book *book);
extern void sm_book_runs_bound(const Book *book, int64 *customers, int64 *rows, int64 *arena);
extern int	sm_book_runs_max_scale(const Book *book);
extern void sm_book_runs_files(Book *book, BufFile ***files, int *nfiles);
extern bool sm_run_read_customer(StreamSource *source, BookKeyKind kind);

/* A run of a file set, by which another process of the query opens it. */
#define RUN_NAME_LEN 32
typedef struct SharedRun
{
	FileSet		fileset;
	char		name[RUN_NAME_LEN];
} SharedRun;

extern int	sm_book_shared_runs(const Book *book, SharedRun *runs, int maxruns);
extern BufFile *sm_shared_run_open(SharedRun *run);

#endif
