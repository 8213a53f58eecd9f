/*
 * famfs-nio's cache-line helper (libfamfscache.so, linux-x86_64): writes back and invalidates CPU cache lines
 * over a range of shared famfs memory, as the reference famfs does on memory that is not cache-coherent
 * between hosts (famfs-format.md section 8.3). One call per range; the loop over 64-byte lines is here.
 *
 *   write back: CLWB if the CPU has it, else CLFLUSHOPT, else CLFLUSH; then SFENCE.
 *   invalidate: CLFLUSHOPT if the CPU has it, else CLFLUSH; then SFENCE.
 *
 * The instructions are chosen once, from CPUID, on the first call (famfs_cache_instructions() says which).
 */
#include <cpuid.h>
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#define LINE 64

enum { NONE = 0, CLFLUSH = 1, CLFLUSHOPT = 2, CLWB = 3 };

static int writeback_insn = -1;
static int invalidate_insn = -1;
/* cache lines handled and calls made since load, for tests and statistics (relaxed: counts, not order) */
static uint64_t lines_done;
static uint64_t calls_done;

static void choose(void)
{
	unsigned int a, b, c, d;
	int has_clflush = 0, has_clflushopt = 0, has_clwb = 0;

	if (__get_cpuid(1, &a, &b, &c, &d))
		has_clflush = (d >> 19) & 1;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		has_clflushopt = (b >> 23) & 1;
		has_clwb = (b >> 24) & 1;
	}
	writeback_insn = has_clwb ? CLWB : has_clflushopt ? CLFLUSHOPT : has_clflush ? CLFLUSH : NONE;
	invalidate_insn = has_clflushopt ? CLFLUSHOPT : has_clflush ? CLFLUSH : NONE;
}

__attribute__((target("clwb"))) static void clwb_range(char *p, char *end)
{
	for (; p < end; p += LINE)
		_mm_clwb(p);
}

__attribute__((target("clflushopt"))) static void clflushopt_range(char *p, char *end)
{
	for (; p < end; p += LINE)
		_mm_clflushopt(p);
}

static void clflush_range(char *p, char *end)
{
	for (; p < end; p += LINE)
		_mm_clflush(p);
}

static int run(int insn, uintptr_t address, size_t length)
{
	char *p, *end;

	if (length == 0) {
		_mm_sfence();
		return 0;
	}
	p = (char *)(address & ~(uintptr_t)(LINE - 1));
	end = (char *)(address + length);
	__atomic_fetch_add(&calls_done, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&lines_done, (uint64_t)((end - p + LINE - 1) / LINE), __ATOMIC_RELAXED);
	switch (insn) {
	case CLWB:
		clwb_range(p, end);
		break;
	case CLFLUSHOPT:
		clflushopt_range(p, end);
		break;
	case CLFLUSH:
		clflush_range(p, end);
		break;
	default:
		_mm_sfence();
		return -1;
	}
	_mm_sfence();
	return 0;
}

static const char *name(int insn)
{
	switch (insn) {
	case CLWB:
		return "clwb";
	case CLFLUSHOPT:
		return "clflushopt";
	case CLFLUSH:
		return "clflush";
	default:
		return "none";
	}
}

/* Writes back every cache line that [address, address+length) touches, then SFENCE; -1 if the CPU has none. */
int famfs_cache_flush(uintptr_t address, size_t length)
{
	if (writeback_insn < 0)
		choose();
	return run(writeback_insn, address, length);
}

/* Writes back and drops every cache line that [address, address+length) touches, then SFENCE. */
int famfs_cache_invalidate(uintptr_t address, size_t length)
{
	if (invalidate_insn < 0)
		choose();
	return run(invalidate_insn, address, length);
}

/* Which instructions the two calls use: "flush=clwb invalidate=clflushopt fence=sfence". */
const char *famfs_cache_instructions(void)
{
	static char text[64];
	const char *w, *i;
	char *t = text;

	if (writeback_insn < 0)
		choose();
	w = name(writeback_insn);
	i = name(invalidate_insn);
	for (const char *s = "flush="; *s; s++)
		*t++ = *s;
	while (*w)
		*t++ = *w++;
	for (const char *s = " invalidate="; *s; s++)
		*t++ = *s;
	while (*i)
		*t++ = *i++;
	for (const char *s = " fence=sfence"; *s; s++)
		*t++ = *s;
	*t = 0;
	return text;
}

/* Cache lines written back or invalidated since the helper was loaded. */
uint64_t famfs_cache_lines(void)
{
	return __atomic_load_n(&lines_done, __ATOMIC_RELAXED);
}

/* Non-empty ranges handled since the helper was loaded (one per flush or invalidate call). */
uint64_t famfs_cache_calls(void)
{
	return __atomic_load_n(&calls_done, __ATOMIC_RELAXED);
}
