package io.streamdetect.engine.tensorrt;

import org.bytedeco.javacpp.Pointer;

/**
 * TensorRT objects returned by native factories (createExecutionContext, deserializeCudaEngine, ...) come with
 * no deallocator in the JavaCPP presets, so their {@code close()} would free nothing: GPU memory leaked on every
 * session (seen on an H100: out of memory after tens of open/close cycles). This attaches the C++ {@code delete}.
 */
final class NativeOwnership extends Pointer {
    private NativeOwnership() {}

    /** {@code object}, now deleted by its {@code close()}; null stays null. */
    static <P extends Pointer> P owned(P object) {
        return object == null || object.isNull() ? object : withDeallocator(object);
    }
}
