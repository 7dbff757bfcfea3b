package dpvm.tensor.cpu;

import dpvm.tensor.BFloat16;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Storage;

/** A Java primitive array of the storage's dtype (bfloat16 as its bits); exactly one of the array fields is set. */
final class CpuStorage extends Storage {
    float[] f;
    double[] d;
    int[] i;
    long[] l;
    short[] h;

    CpuStorage(DType dtype, int size) {
        super(dtype, size, Device.CPU, null);
        switch (dtype) {
            case FLOAT32 -> f = new float[size];
            case FLOAT64 -> d = new double[size];
            case INT32 -> i = new int[size];
            case INT64 -> l = new long[size];
            case BFLOAT16 -> h = new short[size];
        }
    }

    /** Element k as a double (int64 beyond 2^53 loses precision; only the generic paths use this). */
    double get(int k) {
        return switch (dtype()) {
            case FLOAT32 -> f[k];
            case FLOAT64 -> d[k];
            case INT32 -> i[k];
            case INT64 -> l[k];
            case BFLOAT16 -> BFloat16.toFloat(h[k]);
        };
    }

    void set(int k, double v) {
        switch (dtype()) {
            case FLOAT32 -> f[k] = (float) v;
            case FLOAT64 -> d[k] = v;
            case INT32 -> i[k] = (int) v;
            case INT64 -> l[k] = (long) v;
            // through float32 first, as PyTorch converts a double to bfloat16
            case BFLOAT16 -> h[k] = BFloat16.fromFloat((float) v);
        }
    }

    @Override
    protected void onRelease() {
        f = null;
        d = null;
        i = null;
        l = null;
        h = null;
    }
}
