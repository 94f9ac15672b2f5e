#include "base/wipe.h"

#include <string.h>

/* The registers each way below clears, as the compiler names them. */
#define XMM_CLOBBERS                                                                               \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",   \
	    "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/* The vector registers still hold the last bytes memcpy(), strlen() and
 * the parsers moved; whatever saves them later (a signal frame, lazy
 * symbol binding) would write them back to the stack. */
__attribute__((noinline)) static void wipe_registers(void)
{
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx512f")) {
		__asm__ volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
				 "vpxord %%zmm1, %%zmm1, %%zmm1\n\t"
				 "vpxord %%zmm2, %%zmm2, %%zmm2\n\t"
				 "vpxord %%zmm3, %%zmm3, %%zmm3\n\t"
				 "vpxord %%zmm4, %%zmm4, %%zmm4\n\t"
				 "vpxord %%zmm5, %%zmm5, %%zmm5\n\t"
				 "vpxord %%zmm6, %%zmm6, %%zmm6\n\t"
				 "vpxord %%zmm7, %%zmm7, %%zmm7\n\t"
				 "vpxord %%zmm8, %%zmm8, %%zmm8\n\t"
				 "vpxord %%zmm9, %%zmm9, %%zmm9\n\t"
				 "vpxord %%zmm10, %%zmm10, %%zmm10\n\t"
				 "vpxord %%zmm11, %%zmm11, %%zmm11\n\t"
				 "vpxord %%zmm12, %%zmm12, %%zmm12\n\t"
				 "vpxord %%zmm13, %%zmm13, %%zmm13\n\t"
				 "vpxord %%zmm14, %%zmm14, %%zmm14\n\t"
				 "vpxord %%zmm15, %%zmm15, %%zmm15\n\t"
				 "vpxord %%zmm16, %%zmm16, %%zmm16\n\t"
				 "vpxord %%zmm17, %%zmm17, %%zmm17\n\t"
				 "vpxord %%zmm18, %%zmm18, %%zmm18\n\t"
				 "vpxord %%zmm19, %%zmm19, %%zmm19\n\t"
				 "vpxord %%zmm20, %%zmm20, %%zmm20\n\t"
				 "vpxord %%zmm21, %%zmm21, %%zmm21\n\t"
				 "vpxord %%zmm22, %%zmm22, %%zmm22\n\t"
				 "vpxord %%zmm23, %%zmm23, %%zmm23\n\t"
				 "vpxord %%zmm24, %%zmm24, %%zmm24\n\t"
				 "vpxord %%zmm25, %%zmm25, %%zmm25\n\t"
				 "vpxord %%zmm26, %%zmm26, %%zmm26\n\t"
				 "vpxord %%zmm27, %%zmm27, %%zmm27\n\t"
				 "vpxord %%zmm28, %%zmm28, %%zmm28\n\t"
				 "vpxord %%zmm29, %%zmm29, %%zmm29\n\t"
				 "vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
				 "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
				 "vzeroupper" ::
				     : XMM_CLOBBERS);
	} else if (__builtin_cpu_supports("avx")) {
		__asm__ volatile("vzeroall" ::: XMM_CLOBBERS);
	} else {
		__asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
				 "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
				 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
				 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
				 "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"
				 "pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
				 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
				 "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15" ::
				     : XMM_CLOBBERS);
	}
#endif
}

__attribute__((noinline)) void wipe_stack(void)
{
	unsigned char area[WIPE_STACK_BYTES];
	explicit_bzero(area, sizeof(area));
	/* keeps the area from being optimised away */
	__asm__ volatile("" : : "r"(area) : "memory");
	wipe_registers();
}
