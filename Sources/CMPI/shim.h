// OpenMPI for Swift. Most of mpi.h imports as is; the handles below are macros over
// casts of global symbols (e.g. `#define MPI_COMM_WORLD OMPI_PREDEFINED_GLOBAL(MPI_Comm, ...)`),
// which Swift's importer drops, so each gets a `static inline` function returning it.
#ifndef MPITRAIN_CMPI_SHIM_H
#define MPITRAIN_CMPI_SHIM_H

#include <mpi.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// MARK: communicators
/// MPI_COMM_WORLD: a cast of &ompi_mpi_comm_world, not importable.
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
/// MPI_COMM_NULL: a cast of &ompi_mpi_comm_null, needed to test split results.
static inline MPI_Comm cmpi_comm_null(void) { return MPI_COMM_NULL; }

// MARK: datatypes
/// MPI_FLOAT: a cast of &ompi_mpi_float, the element type of parameters and gradients.
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
/// MPI_DOUBLE: a cast of &ompi_mpi_double, for loss sums and timings.
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
/// MPI_BYTE: a cast of &ompi_mpi_byte, for raw broadcasts (strings, checksums).
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
/// MPI_INT64_T: a cast of &ompi_mpi_int64_t, for the stall watchdog's collective numbers.
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }

// MARK: reduction operations
/// MPI_SUM: a cast of &ompi_mpi_op_sum, the gradient reduction.
static inline MPI_Op cmpi_op_sum(void) { return MPI_SUM; }
/// MPI_MAX: a cast of &ompi_mpi_op_max, for agreeing on errors and maximum times.
static inline MPI_Op cmpi_op_max(void) { return MPI_MAX; }
/// MPI_MIN: a cast of &ompi_mpi_op_min, for minimum times and sync checks.
static inline MPI_Op cmpi_op_min(void) { return MPI_MIN; }

// MARK: special buffers and constants
/// MPI_IN_PLACE: `(void *) 1`, a cast that Swift does not import.
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
/// MPI_COMM_TYPE_SHARED: an enum value re-exported so node-local splits read clearly.
static inline int cmpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
/// MPI_INFO_NULL: a cast of &ompi_mpi_info_null, needed by MPI_Comm_split_type.
static inline MPI_Info cmpi_info_null(void) { return MPI_INFO_NULL; }
/// MPI_ERRORS_RETURN: a cast of &ompi_mpi_errors_return, so failures come back as codes we can report.
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
/// MPI_THREAD_FUNNELED: only the main thread calls MPI; Dispatch workers never do.
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
/// MPI_STATUS_IGNORE: a cast of 0, for completions whose status nobody reads.
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
/// MPI_STATUSES_IGNORE: a cast of 0, for MPI_Testall's statuses.
static inline MPI_Status *cmpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
/// MPI_REQUEST_NULL: a cast of &ompi_request_null, a request not started.
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
/// MPI_UINT16_T: a cast of &ompi_mpi_uint16_t, the bfloat16 gradients on the wire.
static inline MPI_Datatype cmpi_uint16(void) { return MPI_UINT16_T; }
/// MPI_MAX_ERROR_STRING: the buffer size MPI_Error_string needs.
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

// MARK: node-local waiting (Communicator's shared-memory reduction)
/// Atomically reads a counter that other processes on the node change.
static inline uint32_t cmpi_atomic_load(uint32_t *word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }
/// Atomically writes a counter that other processes on the node read.
static inline void cmpi_atomic_store(uint32_t *word, uint32_t value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }
/// Atomically adds `value` to a counter; returns the value before.
static inline uint32_t cmpi_atomic_add(uint32_t *word, uint32_t value) { return __atomic_fetch_add(word, value, __ATOMIC_ACQ_REL); }
/// Sleeps in the kernel while `*word == expected`, at most `nanoseconds` (a futex shared between processes).
static inline void cmpi_futex_wait(uint32_t *word, uint32_t expected, long nanoseconds) {
    struct timespec timeout = { nanoseconds / 1000000000L, nanoseconds % 1000000000L };
    syscall(SYS_futex, word, FUTEX_WAIT, expected, &timeout, NULL, 0);
}
/// Wakes every process sleeping on `word`.
static inline void cmpi_futex_wake(uint32_t *word) { syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0); }
/// MPI_Win_allocate_shared's window handle type default.
static inline MPI_Win cmpi_win_null(void) { return MPI_WIN_NULL; }

#endif
