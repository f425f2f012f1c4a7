/// How the gradients travel in the step's allreduce (`--allreduce-precision`).
public enum AllreducePrecision: String, CaseIterable, Sendable {
    /// As they are: 4 bytes a gradient.
    case fp32
    /// Rounded to bfloat16 for the wire, 2 bytes a gradient, summed in float (Horovod's fp16
    /// compression, with fp32's range); the loss, count and stop flag still travel in fp32.
    case bf16
}
