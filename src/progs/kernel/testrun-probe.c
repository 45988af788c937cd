/* Test-run probe (built by src/progs/testrun-kernel.test.ts when gcc is present and
 * the test runs as root): loads a program and runs it once with BPF_PROG_TEST_RUN, so
 * ebee's harnesses can be compared with the kernel's on the same input. Only
 * BPF_PROG_LOAD and BPF_PROG_TEST_RUN are used; nothing is attached, and the program's
 * fd is closed after each job.
 *
 * Input (stdin), one job per block:
 *   prog TYPE EXPECTED_ATTACH
 *   insns HEX                     (little-endian bytecode, no map references)
 *   data HEX | data -             (data_in, or none)
 *   ctx HEX | ctx -               (ctx_in, or none)
 *   run
 *   probe                         (prints "probe ok" or "probe ERRNO")
 * Output per job:
 *   result load ERRNO | result run ERRNO | result ok RETVAL
 *   data HEX                      (data_out, after "result ok"; "-" when empty)
 *   ctx HEX                       (ctx_out, after "result ok"; "-" when empty)
 *   end
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#define MAX_BYTES (1u << 16)

static unsigned prog_type, prog_attach;
static unsigned char code[MAX_BYTES], data_in[MAX_BYTES], ctx_in[MAX_BYTES];
static unsigned char data_out[MAX_BYTES], ctx_out[MAX_BYTES];
static size_t code_len, data_len, ctx_len;
static char line[4 * MAX_BYTES];

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* "-" is no bytes; otherwise pairs of hex digits. */
static size_t unhex(const char *s, unsigned char *out)
{
	size_t n = 0;
	if (s[0] == '-')
		return 0;
	while (s[0] && s[1] && s[0] != '\n' && n < MAX_BYTES) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}

static void print_hex(const char *what, const unsigned char *b, size_t n)
{
	printf("%s ", what);
	if (!n)
		putchar('-');
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	putchar('\n');
}

static void run_job(void)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.expected_attach_type = prog_attach;
	attr.insns = (unsigned long)code;
	attr.insn_cnt = code_len / 8;
	attr.license = (unsigned long)"GPL";
	int fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		printf("result load %d\nend\n", errno);
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = data_len ? (unsigned long)data_in : 0;
	attr.test.data_size_in = data_len;
	attr.test.data_out = (unsigned long)data_out;
	attr.test.data_size_out = sizeof(data_out);
	attr.test.ctx_in = ctx_len ? (unsigned long)ctx_in : 0;
	attr.test.ctx_size_in = ctx_len;
	attr.test.ctx_out = ctx_len ? (unsigned long)ctx_out : 0;
	attr.test.ctx_size_out = ctx_len ? sizeof(ctx_out) : 0;
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr) < 0) {
		printf("result run %d\nend\n", errno);
	} else {
		printf("result ok %u\n", attr.test.retval);
		print_hex("data", data_out, attr.test.data_size_out);
		print_hex("ctx", ctx_out, ctx_len ? attr.test.ctx_size_out : 0);
		printf("end\n");
	}
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "prog ", 5)) {
			sscanf(line + 5, "%u %u", &prog_type, &prog_attach);
		} else if (!strncmp(line, "insns ", 6)) {
			code_len = unhex(line + 6, code);
		} else if (!strncmp(line, "data ", 5)) {
			data_len = unhex(line + 5, data_in);
		} else if (!strncmp(line, "ctx ", 4)) {
			ctx_len = unhex(line + 4, ctx_in);
		} else if (!strncmp(line, "run", 3)) {
			run_job();
		} else if (!strncmp(line, "probe", 5)) {
			union bpf_attr attr;
			memset(&attr, 0, sizeof(attr));
			/* An invalid map create: EINVAL means bpf() is there. */
			long r = sys_bpf(BPF_MAP_CREATE, &attr);
			printf("probe %s\n", r < 0 && errno != EINVAL ? "unavailable" : "ok");
			if (r >= 0)
				close((int)r);
		}
		fflush(stdout);
	}
	return 0;
}
