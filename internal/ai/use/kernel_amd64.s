#include "textflag.h"

// func kernel4x16AVX2(k int, a *float32, lda int, b *float32, c *float32, ldc int)
// c[r][0:16] += sum over i < k of a[r*lda+i] * b[i*16:(i+1)*16], for r = 0..3.
TEXT ·kernel4x16AVX2(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R9
	SHLQ $2, R8                 // lda in bytes
	SHLQ $2, R9                 // ldc in bytes
	LEAQ (SI)(R8*1), R10        // row 1 of a
	LEAQ (R10)(R8*1), R11       // row 2
	LEAQ (R11)(R8*1), R12       // row 3
	LEAQ (DX)(R9*1), R13        // row 1 of c
	LEAQ (R13)(R9*1), R14       // row 2
	LEAQ (R14)(R9*1), R15       // row 3

	VMOVUPS 0(DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS 0(R13), Y2
	VMOVUPS 32(R13), Y3
	VMOVUPS 0(R14), Y4
	VMOVUPS 32(R14), Y5
	VMOVUPS 0(R15), Y6
	VMOVUPS 32(R15), Y7

	XORQ AX, AX                 // byte offset into the a rows
loop:
	VMOVUPS 0(DI), Y8
	VMOVUPS 32(DI), Y9
	VBROADCASTSS (SI)(AX*1), Y10
	VBROADCASTSS (R10)(AX*1), Y11
	VBROADCASTSS (R11)(AX*1), Y12
	VBROADCASTSS (R12)(AX*1), Y13
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ $64, DI
	ADDQ $4, AX
	DECQ CX
	JNZ loop

	VMOVUPS Y0, 0(DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 0(R13)
	VMOVUPS Y3, 32(R13)
	VMOVUPS Y4, 0(R14)
	VMOVUPS Y5, 32(R14)
	VMOVUPS Y6, 0(R15)
	VMOVUPS Y7, 32(R15)
	VZEROUPPER
	RET
