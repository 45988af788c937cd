/* Test oracle (built by kernel.test.ts when gcc is present and the test runs as root):
 * asks the running kernel's verifier for its verdict on programs ebee also verifies.
 * Only BPF_MAP_CREATE, BPF_BTF_LOAD and BPF_PROG_LOAD are used; nothing is attached,
 * every fd is closed before the next job.
 *
 * Input (stdin), one job per block:
 *   map TYPE KEY VALUE MAX FLAGS [ITYPE IKEY IVALUE IMAX IFLAGS]   (the inner template)
 *   map none                      (a slot the program does not reference)
 *   prog TYPE EXPECTED_ATTACH PROG_FLAGS LICENSE...
 *   btf HEX                       (optional: the program's BTF, loaded for func_info)
 *   funcinfo PC TYPEID [PC TYPEID]... (optional, with btf: each function's entry and BTF FUNC)
 *   insns HEX                     (little-endian bytecode; lddw src 5/6 name map indices)
 *   load | load log               (with `log`, a rejection also fetches the log)
 * Output per job:
 *   result accept | result reject ERRNO | result mapfail INDEX ERRNO | result btffail ERRNO
 *   log LINE                      (the last lines of the verifier log, on rejection)
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

#define MAX_MAPS 256
#define LOG_SIZE (4u << 20)
#define LOG_TAIL_LINES 6

static int map_fds[MAX_MAPS];
static int map_count;
static int map_fail_index = -1;
static int map_fail_errno;
static unsigned prog_type, prog_attach, prog_flags;
static char license[256];
static unsigned char *code;
static size_t code_len;
static char *log_buf;
static int btf_fd = -1;
static int btf_fail_errno;
#define MAX_FUNCS 256
static struct bpf_func_info func_info[MAX_FUNCS];
static unsigned func_info_cnt;

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int create_map(unsigned type, unsigned key, unsigned value, unsigned max, unsigned flags, int inner_fd)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key;
	attr.value_size = value;
	attr.max_entries = max;
	attr.map_flags = flags;
	if (inner_fd >= 0)
		attr.inner_map_fd = (unsigned)inner_fd;
	return (int)sys_bpf(BPF_MAP_CREATE, &attr);
}

static void reset(void)
{
	for (int i = 0; i < map_count; i++)
		if (map_fds[i] >= 0)
			close(map_fds[i]);
	map_count = 0;
	map_fail_index = -1;
	free(code);
	code = NULL;
	code_len = 0;
	if (btf_fd >= 0)
		close(btf_fd);
	btf_fd = -1;
	btf_fail_errno = 0;
	func_info_cnt = 0;
}

static void add_map(const char *args)
{
	unsigned v[10];
	/* A map the program does not use: its slot stays so later indices hold. */
	if (!strncmp(args, "none", 4) && map_count < MAX_MAPS) {
		map_fds[map_count++] = -1;
		return;
	}
	int n = sscanf(args, "%u %u %u %u %u %u %u %u %u %u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	if (map_count >= MAX_MAPS || (n != 5 && n != 10)) {
		fprintf(stderr, "oracle: bad map line: %s\n", args);
		exit(2);
	}
	int inner = -1;
	if (n == 10) {
		inner = create_map(v[5], v[6], v[7], v[8], v[9], -1);
		if (inner < 0 && map_fail_index < 0) {
			map_fail_index = map_count;
			map_fail_errno = errno;
		}
	}
	int fd = (n == 10 && inner < 0) ? -1 : create_map(v[0], v[1], v[2], v[3], v[4], inner);
	if (fd < 0 && map_fail_index < 0) {
		map_fail_index = map_count;
		map_fail_errno = errno;
	}
	/* The outer map keeps its own copy of the template. */
	if (inner >= 0)
		close(inner);
	map_fds[map_count++] = fd;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes a line of hex into a new buffer; *len gets its size. */
static unsigned char *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	while (n && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	if (n % 2) {
		fprintf(stderr, "oracle: odd hex length\n");
		exit(2);
	}
	unsigned char *out = malloc(n / 2 + 1);
	if (!out)
		exit(3);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "oracle: bad hex\n");
			exit(2);
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

static void set_insns(const char *hex)
{
	free(code);
	code = unhex(hex, &code_len);
	if (code_len % 8) {
		fprintf(stderr, "oracle: bytecode is not whole instructions\n");
		exit(2);
	}
}

/* Loads the program's BTF (for func_info); a refusal is reported as the job's result. */
static void set_btf(const char *hex)
{
	size_t len;
	unsigned char *blob = unhex(hex, &len);
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.btf = (__u64)(unsigned long)blob;
	attr.btf_size = (unsigned)len;
	btf_fd = (int)sys_bpf(BPF_BTF_LOAD, &attr);
	if (btf_fd < 0)
		btf_fail_errno = errno;
	free(blob);
}

static void set_func_info(const char *args)
{
	unsigned pc, id;
	int used;
	func_info_cnt = 0;
	while (func_info_cnt < MAX_FUNCS && sscanf(args, "%u %u%n", &pc, &id, &used) == 2) {
		func_info[func_info_cnt].insn_off = pc;
		func_info[func_info_cnt].type_id = id;
		func_info_cnt++;
		args += used;
	}
}

static long load(unsigned level, int *err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.expected_attach_type = prog_attach;
	attr.prog_flags = prog_flags;
	attr.insns = (__u64)(unsigned long)code;
	attr.insn_cnt = (unsigned)(code_len / 8);
	attr.license = (__u64)(unsigned long)license;
	attr.fd_array = (__u64)(unsigned long)map_fds;
	if (btf_fd >= 0) {
		attr.prog_btf_fd = (unsigned)btf_fd;
		attr.func_info_rec_size = sizeof(struct bpf_func_info);
		attr.func_info = (__u64)(unsigned long)func_info;
		attr.func_info_cnt = func_info_cnt;
	}
	if (level) {
		log_buf[0] = 0;
		attr.log_level = level;
		attr.log_buf = (__u64)(unsigned long)log_buf;
		attr.log_size = LOG_SIZE;
	}
	long fd = sys_bpf(BPF_PROG_LOAD, &attr);
	*err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close((int)fd);
	return fd;
}

/* Prints the last non-empty lines of the log. */
static void print_tail(void)
{
	log_buf[LOG_SIZE - 1] = 0;
	const char *starts[LOG_TAIL_LINES];
	int found = 0;
	size_t len = strlen(log_buf);
	size_t end = len;
	while (end > 0 && found < LOG_TAIL_LINES) {
		while (end > 0 && log_buf[end - 1] == '\n')
			end--;
		if (!end)
			break;
		size_t start = end;
		while (start > 0 && log_buf[start - 1] != '\n')
			start--;
		starts[found++] = log_buf + start;
		end = start;
	}
	for (int i = found - 1; i >= 0; i--) {
		const char *e = strchr(starts[i], '\n');
		int n = e ? (int)(e - starts[i]) : (int)strlen(starts[i]);
		printf("log %.*s\n", n, starts[i]);
	}
}

static void run_job(int want_log)
{
	if (map_fail_index >= 0) {
		printf("result mapfail %d %d\n", map_fail_index, map_fail_errno);
	} else if (btf_fail_errno) {
		printf("result btffail %d\n", btf_fail_errno);
	} else {
		int err;
		/* The verdict without a log: a log too small for the run would turn an
		 * acceptance into ENOSPC. The log is only fetched to explain a rejection. */
		if (load(0, &err) >= 0) {
			printf("result accept\n");
		} else {
			printf("result reject %d\n", err);
			if (want_log) {
				int err2;
				load(1, &err2);
				print_tail();
			}
		}
	}
	printf("end\n");
	fflush(stdout);
	reset();
}

int main(void)
{
	log_buf = malloc(LOG_SIZE);
	if (!log_buf)
		return 3;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (!strncmp(line, "map ", 4)) {
			add_map(line + 4);
		} else if (!strncmp(line, "prog ", 5)) {
			int off = 0;
			if (sscanf(line + 5, "%u %u %u %n", &prog_type, &prog_attach, &prog_flags, &off) < 3) {
				fprintf(stderr, "oracle: bad prog line\n");
				return 2;
			}
			snprintf(license, sizeof(license), "%s", line + 5 + off);
			license[strcspn(license, "\r\n")] = 0;
		} else if (!strncmp(line, "btf ", 4)) {
			set_btf(line + 4);
		} else if (!strncmp(line, "funcinfo ", 9)) {
			set_func_info(line + 9);
		} else if (!strncmp(line, "insns ", 6)) {
			set_insns(line + 6);
		} else if (!strncmp(line, "load", 4)) {
			run_job(!strncmp(line, "load log", 8));
		} else if (!strncmp(line, "probe", 5)) {
			/* Can this process use bpf() at all? An empty array map says. */
			int fd = create_map(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, -1);
			if (fd >= 0) {
				printf("probe ok\n");
				close(fd);
			} else {
				printf("probe fail %d %s\n", errno, strerror(errno));
			}
			fflush(stdout);
		}
	}
	free(line);
	free(log_buf);
	reset();
	return 0;
}
