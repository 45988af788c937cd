/* Helper probe (built by src/progs/helpers-kernel.test.ts when gcc is present and the
 * test runs as root): asks the running kernel which helpers a program type may call.
 * For each job and each helper id it loads `call ID; r0 = 0; exit` with BPF_PROG_LOAD
 * (nothing is attached; every fd is closed at once) and classifies the verifier's
 * answer from its log.
 *
 * Input (stdin), one job per line:
 *   TYPE EXPECTED_ATTACH ATTACH_BTF_ID PROG_FLAGS FIRST LAST
 *   probe                          (prints "probe ok" or "probe ERRNO")
 * Output, one line per job:
 *   job TYPE EXPECTED_ATTACH CODES  (one character per helper id FIRST..LAST:
 *                                    n = "cannot use helper" / "unknown func" / not
 *                                    allowed in this program, i = "invalid func",
 *                                    x = refused before verification (empty log),
 *                                    y = anything else: loaded or rejected later)
 *   msg ID LINE                     (the log line of the first 'n' and the first 'i')
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#define LOG_SIZE (1u << 16)
static char log_buf[LOG_SIZE];

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int load(unsigned type, unsigned attach, unsigned btf_id, unsigned flags, int helper)
{
	struct bpf_insn code[3];
	memset(code, 0, sizeof(code));
	code[0].code = BPF_JMP | BPF_CALL;
	code[0].imm = helper;
	code[1].code = BPF_ALU64 | BPF_MOV | BPF_K;
	code[2].code = BPF_JMP | BPF_EXIT;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.expected_attach_type = attach;
	attr.attach_btf_id = btf_id;
	attr.prog_flags = flags;
	attr.insns = (__u64)(unsigned long)code;
	attr.insn_cnt = 3;
	attr.license = (__u64)(unsigned long)"GPL";
	log_buf[0] = 0;
	attr.log_level = 1;
	attr.log_buf = (__u64)(unsigned long)log_buf;
	attr.log_size = LOG_SIZE;
	long fd = sys_bpf(BPF_PROG_LOAD, &attr);
	int err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close((int)fd);
	return err;
}

/* The line of the log holding `needle`, without its newline. */
static const char *line_with(const char *needle, int *len)
{
	const char *at = strstr(log_buf, needle);
	if (!at)
		return NULL;
	const char *start = at;
	while (start > log_buf && start[-1] != '\n')
		start--;
	const char *end = strchr(at, '\n');
	*len = end ? (int)(end - start) : (int)strlen(start);
	return start;
}

static char classify(void)
{
	static const char *refused[] = {
		"cannot use helper", "unknown func", "helper call is not allowed in probe",
		"in non-sleepable prog",
	};
	int len;
	if (!log_buf[0])
		return 'x';
	if (line_with("invalid func", &len))
		return 'i';
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (line_with(refused[i], &len))
			return 'n';
	return 'y';
}

int main(void)
{
	char line[256];
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "probe", 5)) {
			/* map_lookup_elem without arguments: the verifier answers when bpf() works. */
			int err = load(BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, 0, 1);
			if (err == EPERM || err == ENOSYS)
				printf("probe %d\n", err);
			else
				printf("probe ok\n");
			fflush(stdout);
			continue;
		}
		unsigned type, attach, btf_id, flags;
		int first, last;
		if (sscanf(line, "%u %u %u %u %d %d", &type, &attach, &btf_id, &flags, &first, &last) != 6 || first > last) {
			fprintf(stderr, "helper-probe: bad line: %s", line);
			return 2;
		}
		char *codes = calloc((size_t)(last - first + 2), 1);
		if (!codes)
			return 3;
		char msg_n[512] = "", msg_i[512] = "";
		int id_n = -1, id_i = -1;
		for (int id = first; id <= last; id++) {
			load(type, attach, btf_id, flags, id);
			char c = classify();
			codes[id - first] = c;
			int len;
			const char *l;
			if (c == 'n' && id_n < 0 && ((l = line_with("cannot use helper", &len)) || (l = line_with("unknown func", &len))
					|| (l = line_with("not allowed", &len)) || (l = line_with("sleepable", &len)))) {
				id_n = id;
				snprintf(msg_n, sizeof(msg_n), "%.*s", len, l);
			}
			if (c == 'i' && id_i < 0 && (l = line_with("invalid func", &len))) {
				id_i = id;
				snprintf(msg_i, sizeof(msg_i), "%.*s", len, l);
			}
		}
		printf("job %u %u %s\n", type, attach, codes);
		if (id_n >= 0)
			printf("msg %d %s\n", id_n, msg_n);
		if (id_i >= 0)
			printf("msg %d %s\n", id_i, msg_i);
		fflush(stdout);
		free(codes);
	}
	return 0;
}
