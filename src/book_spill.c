/*
 * book_spill.c
 *		A log larger than saas_metrics.max_memory, written to temporary files
 *		as sorted runs and read back as a stream.
 *
 * A book's log, the scratch copy its sort needs and the images of its text
 * or uuid ids are kept within saas_metrics.max_memory.  When growing the
 * log or the arena would pass it, the log is sorted by customer, as
 * flattening does (book_flat.c), a windowed shorthand's history is
 * summarised (book_history.c), and the log is written to a temporary file
 * as a run: its customers in (hash, id) order, each as a RunRecord, the
 * image of its id and its rows at its scale.  The log then starts again,
 * empty, in the same memory.  This is what PostgreSQL's own sorts do with
 * work_mem: the same rows in, the same answers out, at the price of
 * writing and reading them once more.
 *
 * Runs merge like flat books (book_stream.c).  So that a read never holds
 * more than a bounded number of files open, runs of the same level merge,
 * FAN_IN at a time, into one run of the next level, as soon as there are
 * that many: a read merges fewer than fan-in runs of each level, each
 * through one BLCKSZ buffer, and every row is written O(log rows) times.
 *
 * Which books spill: the states of aggregates (AGG_CONTEXT_AGGREGATE), not
 * of window aggregates, whose state stays readable between rows.  A
 * shorthand's final function reads the runs as a stream; everything else
 * that needs the flat form merges them into it (subscription_book_agg's
 * result, a parallel worker's state on its way to the leader, a Citus
 * worker's), which must still fit in 1 GB.
 *
 * The files belong to the query's resource owner, which deletes them if the
 * query fails; otherwise they are closed, and deleted, by a callback of the
 * aggregate when its state is reset or the query ends.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "book_stream.h"

/* saas_metrics.max_memory, in kB: the memory of one book's log */
int			sm_book_max_memory = 512 * 1024;

/* A customer in a run; its id image (text, uuid) and its rows follow. */
typedef struct RunRecord
{
	uint32		hash;
	int32		first_start;
	int32		nrows;
	uint8		scale;
	uint8		padding[3];
	int64		key;			/* the bigint id, or the length of the image */
} RunRecord;

typedef struct Run
{
	BufFile    *file;
	int			level;			/* merged from FAN_IN runs of level - 1 */
} Run;

struct BookRuns
{
	Run		   *runs;			/* levels in descending order */
	int			nruns;
	int			maxruns;
	int			max_scale;		/* of the customers written */
	bool		cleanup_registered;
	BufFile   **files;			/* the runs' files, for a stream */
};

static Size
budget_bytes(void)
{
	return (Size) sm_book_max_memory * 1024;
}

/* Runs merged at once: each costs a buffer of BLCKSZ and its customer's rows. */
static int
fan_in(void)
{
	return (int) Max(4, Min(256, budget_bytes() / (4 * BLCKSZ)));
}

/*
 * Whether a log of log_rows rows (and its sort's scratch copy) and an arena
 * of arena_bytes pass the budget.
 */
bool
sm_book_over_budget(int64 log_rows, Size arena_bytes)
{
	return 2 * log_rows * sizeof(BookLogRow) + arena_bytes > budget_bytes();
}

/*
 * Whether this call of a transition function may spill its book: see the
 * file header.
 */
bool
sm_book_may_spill(FunctionCallInfo fcinfo)
{
	return AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE;
}

bool
sm_book_has_runs(const Book *book)
{
	return book->runs != NULL && book->runs->nruns > 0;
}

int
sm_book_runs_max_scale(const Book *book)
{
	return book->runs ? book->runs->max_scale : 0;
}

void
sm_run_write_customer(BufFile *file, BookKeyKind kind, const BookCustomer *customer,
					  const char *arena, const BookRow *rows)
{
	RunRecord	record;
	Size		image_len = kind == BOOK_KEY_BIGINT ? 0 :
		sm_key_image_size(kind, arena + customer->key);

	memset(&record, 0, sizeof(record));
	record.hash = customer->hash;
	record.first_start = customer->first_start;
	record.nrows = customer->nrows;
	record.scale = customer->scale;
	record.key = kind == BOOK_KEY_BIGINT ? customer->key : (int64) image_len;
	BufFileWrite(file, &record, sizeof(record));
	if (image_len > 0)
		BufFileWrite(file, (void *) (arena + customer->key), image_len);
	BufFileWrite(file, (void *) rows, customer->nrows * sizeof(BookRow));
}

static void
read_exactly(BufFile *file, void *buffer, size_t size)
{
	size_t		got = BufFileRead(file, buffer, size);

	if (got != size)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read from a subscription book's temporary file: read only %zu of %zu bytes",
						got, size)));
}

/* The next customer of a run into its source; false at the end of the run. */
bool
sm_run_read_customer(StreamSource *source, BookKeyKind kind)
{
	RunRecord	record;
	size_t		got = BufFileRead(source->file, &record, sizeof(record));

	if (got == 0)
		return false;
	if (got != sizeof(record))
		read_exactly(source->file, (char *) &record + got, sizeof(record) - got);
	source->run_customer = (BookCustomer)
	{
		.key = kind == BOOK_KEY_BIGINT ? record.key : 0,
			.hash = record.hash,.first_start = record.first_start,
			.nrows = record.nrows,.scale = record.scale
	};
	source->customer = &source->run_customer;
	source->arena = NULL;
	if (kind != BOOK_KEY_BIGINT)
	{
		if ((Size) record.key > source->image_capacity)
		{
			if (source->image_buffer)
				pfree(source->image_buffer);
			source->image_capacity = Max((Size) record.key, 2 * source->image_capacity);
			source->image_buffer = MemoryContextAllocHuge(source->cxt, source->image_capacity);
		}
		read_exactly(source->file, source->image_buffer, record.key);
		source->arena = source->image_buffer;
	}
	if (record.nrows > source->row_capacity)
	{
		if (source->row_buffer)
			pfree(source->row_buffer);
		source->row_capacity = (int32) Min(Max((int64) record.nrows, 2 * (int64) source->row_capacity),
										   PG_INT32_MAX);
		source->row_buffer = MemoryContextAllocHuge(source->cxt, source->row_capacity * sizeof(BookRow));
	}
	read_exactly(source->file, source->row_buffer, record.nrows * sizeof(BookRow));
	source->rows = source->row_buffer;
	return true;
}

/* A new temporary file, in the book's memory context. */
static BufFile *
run_file(Book *book)
{
	MemoryContext old = MemoryContextSwitchTo(book->hdr.eoh_context);
	BufFile    *file = BufFileCreateTemp(false);

	MemoryContextSwitchTo(old);
	return file;
}

static void
add_run(Book *book, BufFile *file, int level)
{
	BookRuns   *runs = book->runs;

	if (runs->nruns == runs->maxruns)
	{
		runs->maxruns = Max(2 * runs->maxruns, 8);
		runs->runs = runs->runs ?
			repalloc(runs->runs, runs->maxruns * sizeof(Run)) :
			MemoryContextAlloc(book->hdr.eoh_context, runs->maxruns * sizeof(Run));
	}
	runs->runs[runs->nruns++] = (Run)
	{
		.file = file,.level = level
	};
}

/* The sorted log as a run: each customer's rows as the flat form holds them. */
static BufFile *
write_log_run(Book *book)
{
	BufFile    *file = run_file(book);
	BookLogRow *log = book->log;
	BookRow    *rows = NULL;
	int32		capacity = 0;

	for (int32 i = 0; i < book->nlog;)
	{
		int32		j = sm_book_log_customer_end(book, log, i, book->nlog);
		BookCustomer customer = {.key = log[i].key,.hash = log[i].hash};
		int			scale;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (j - i > capacity)
		{
			if (rows)
				pfree(rows);
			capacity = Max(j - i, 2 * capacity);
			rows = MemoryContextAllocHuge(book->hdr.eoh_context, capacity * sizeof(BookRow));
		}
		customer.nrows = sm_book_customer_rows(log + i, j - i, rows, &customer.first_start, &scale);
		customer.scale = (uint8) scale;
		sm_run_write_customer(file, book->key_kind, &customer, book->arena, rows);
		book->runs->max_scale = Max(book->runs->max_scale, scale);
		i = j;
	}
	if (rows)
		pfree(rows);
	return file;
}

/* Merge the runs from first on into one run of the next level. */
static void
merge_runs(Book *book, int first)
{
	BookRuns   *runs = book->runs;
	int			n = runs->nruns - first;
	BufFile   **files = palloc(n * sizeof(BufFile *));
	BufFile    *merged = run_file(book);
	BookStream *stream;
	int			level = runs->runs[first].level + 1;

	for (int i = 0; i < n; i++)
		files[i] = runs->runs[first + i].file;
	stream = sm_stream_begin(book->key_kind, NULL, 0, files, n);
	for (int64 k = 0; sm_stream_next(stream); k++)
	{
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		sm_run_write_customer(merged, book->key_kind, &stream->customer, stream->arena, stream->rows);
	}
	sm_stream_end(stream);
	for (int i = 0; i < n; i++)
		BufFileClose(files[i]);
	pfree(files);
	runs->nruns = first;
	add_run(book, merged, level);
}

/*
 * Write the log as a run and empty it (its memory is kept for the rows to
 * come); runs of the same level merge once there are fan-in of them.
 */
void
sm_book_spill_log(Book *book)
{
	BookRuns   *runs;
	int			fan = fan_in();

	if (book->runs == NULL)
		book->runs = MemoryContextAllocZero(book->hdr.eoh_context, sizeof(BookRuns));
	runs = book->runs;
	sm_book_sort_log(book);
	sm_book_summarise_history(book);
	add_run(book, write_log_run(book), 0);
	book->nlog = 0;
	book->arena_len = 0;
	for (;;)
	{
		int			first = runs->nruns;

		while (first > 0 && runs->runs[first - 1].level == runs->runs[runs->nruns - 1].level)
			first--;
		if (runs->nruns - first < fan)
			break;
		merge_runs(book, first);
	}
}

/* The files of a book's runs, once what remains of its log is one of them. */
void
sm_book_runs_files(Book *book, BufFile ***files, int *nfiles)
{
	BookRuns   *runs = book->runs;

	*files = NULL;
	*nfiles = 0;
	if (runs == NULL)
		return;
	if (book->nlog > 0)
		sm_book_spill_log(book);
	if (runs->files)
		pfree(runs->files);
	runs->files = MemoryContextAlloc(book->hdr.eoh_context, Max(runs->nruns, 1) * sizeof(BufFile *));
	for (int i = 0; i < runs->nruns; i++)
		runs->files[i] = runs->runs[i].file;
	*files = runs->files;
	*nfiles = runs->nruns;
}

static void
close_runs(Datum arg)
{
	Book	   *book = (Book *) DatumGetPointer(arg);

	for (int i = 0; i < book->runs->nruns; i++)
		BufFileClose(book->runs->runs[i].file);
	book->runs->nruns = 0;
}

/* Close the book's runs when the aggregate's state is reset (once it has some). */
void
sm_book_register_run_cleanup(FunctionCallInfo fcinfo, Book *book)
{
	if (book->runs == NULL || book->runs->cleanup_registered)
		return;
	AggRegisterCallback(fcinfo, close_runs, PointerGetDatum(book));
	book->runs->cleanup_registered = true;
}
