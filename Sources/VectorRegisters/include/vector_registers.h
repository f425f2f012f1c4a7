// The vector registers of the CPU that the code including this header is compiled for, as its
// compiler sees them (-target-cpu / -march): Swift's kernels size their register blocks by them.
#ifndef MPITRAIN_VECTOR_REGISTERS_H
#define MPITRAIN_VECTOR_REGISTERS_H

#if defined(__AVX512F__)
/// Number of vector registers: zmm0-31.
#define MPITRAIN_VECTOR_REGISTERS 32
/// Floats in one vector register.
#define MPITRAIN_VECTOR_FLOATS 16
#elif defined(__AVX__)
#define MPITRAIN_VECTOR_REGISTERS 16
#define MPITRAIN_VECTOR_FLOATS 8
#else
#define MPITRAIN_VECTOR_REGISTERS 16
#define MPITRAIN_VECTOR_FLOATS 4
#endif

#endif
