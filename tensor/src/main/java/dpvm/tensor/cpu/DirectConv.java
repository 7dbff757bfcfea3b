package dpvm.tensor.cpu;

/**
 * Convolution in double by direct loops, the reference the float GEMM path is tested against. Each pass visits
 * one output element at a time (y, dx or dw) and gathers its whole sum, so the passes are parallel over outputs
 * and need no atomic adds. Layouts are those of {@link Conv}.
 */
final class DirectConv {
    private DirectConv() {}

    /** Precomputed extents; {@code tap} maps an output coordinate and kernel offset to an input coordinate. */
    private record Dims(int[] in, int[] out, int[] k, int[] s, int[] p, int[] d, int cg, int og) {
        Dims(ConvGeometry g) {
            this(g.inSize(), g.outSize(), g.kernel(), g.stride(), g.padding(), g.dilation(),
                    g.inChannels() / g.groups(), g.outChannels() / g.groups());
        }

        /** Input coordinate along {@code dim} read by output {@code o} at kernel offset {@code kk}, or -1 in padding. */
        int tap(int dim, int o, int kk) {
            int i = o * s[dim] - p[dim] + kk * d[dim];
            return i >= 0 && i < in[dim] ? i : -1;
        }

        /** Output coordinate along {@code dim} that reads input {@code i} at kernel offset {@code kk}, or -1. */
        int source(int dim, int i, int kk) {
            int t = i + p[dim] - kk * d[dim];
            if (t < 0 || t % s[dim] != 0 || t / s[dim] >= out[dim]) return -1;
            return t / s[dim];
        }

        int inPlane() {
            return in[0] * in[1] * in[2];
        }

        int outPlane() {
            return out[0] * out[1] * out[2];
        }

        int kv() {
            return k[0] * k[1] * k[2];
        }
    }

    static void forward(ConvGeometry g, double[] x, double[] w, double[] y) {
        Dims m = new Dims(g);
        int outC = g.outChannels(), inC = g.inChannels();
        Parallel.forRange(g.batch() * outC, 1, (from, to) -> {
            for (int no = from; no < to; no++) {
                int n = no / outC, o = no % outC, c0 = o / m.og * m.cg;
                int yi = no * m.outPlane();
                for (int od = 0; od < m.out[0]; od++) {
                    for (int oh = 0; oh < m.out[1]; oh++) {
                        for (int ow = 0; ow < m.out[2]; ow++, yi++) {
                            double sum = 0;
                            for (int c = 0; c < m.cg; c++) {
                                int xc = (n * inC + c0 + c) * m.inPlane(), wc = (o * m.cg + c) * m.kv();
                                for (int kd = 0; kd < m.k[0]; kd++) {
                                    int id = m.tap(0, od, kd);
                                    for (int kh = 0; kh < m.k[1]; kh++) {
                                        int ih = m.tap(1, oh, kh);
                                        for (int kw = 0; kw < m.k[2]; kw++) {
                                            int iw = m.tap(2, ow, kw);
                                            if (id < 0 || ih < 0 || iw < 0) continue;
                                            sum += x[xc + (id * m.in[1] + ih) * m.in[2] + iw]
                                                    * w[wc + (kd * m.k[1] + kh) * m.k[2] + kw];
                                        }
                                    }
                                }
                            }
                            y[yi] = sum;
                        }
                    }
                }
            }
        });
    }

    static void backwardData(ConvGeometry g, double[] dy, double[] w, double[] dx) {
        Dims m = new Dims(g);
        int outC = g.outChannels(), inC = g.inChannels();
        Parallel.forRange(g.batch() * inC, 1, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int n = nc / inC, c = nc % inC, o0 = c / m.cg * m.og, cInGroup = c % m.cg;
                int xi = nc * m.inPlane();
                for (int id = 0; id < m.in[0]; id++) {
                    for (int ih = 0; ih < m.in[1]; ih++) {
                        for (int iw = 0; iw < m.in[2]; iw++, xi++) {
                            double sum = 0;
                            for (int o = o0; o < o0 + m.og; o++) {
                                int yo = (n * outC + o) * m.outPlane(), wc = (o * m.cg + cInGroup) * m.kv();
                                for (int kd = 0; kd < m.k[0]; kd++) {
                                    int od = m.source(0, id, kd);
                                    for (int kh = 0; kh < m.k[1]; kh++) {
                                        int oh = m.source(1, ih, kh);
                                        for (int kw = 0; kw < m.k[2]; kw++) {
                                            int ow = m.source(2, iw, kw);
                                            if (od < 0 || oh < 0 || ow < 0) continue;
                                            sum += dy[yo + (od * m.out[1] + oh) * m.out[2] + ow]
                                                    * w[wc + (kd * m.k[1] + kh) * m.k[2] + kw];
                                        }
                                    }
                                }
                            }
                            dx[xi] = sum;
                        }
                    }
                }
            }
        });
    }

    static void backwardWeight(ConvGeometry g, double[] x, double[] dy, double[] dw) {
        Dims m = new Dims(g);
        int outC = g.outChannels(), inC = g.inChannels();
        Parallel.forRange(outC * m.cg, 1, (from, to) -> {
            for (int oc = from; oc < to; oc++) {
                int o = oc / m.cg, c = o / m.og * m.cg + oc % m.cg;
                int wi = oc * m.kv();
                for (int kd = 0; kd < m.k[0]; kd++) {
                    for (int kh = 0; kh < m.k[1]; kh++) {
                        for (int kw = 0; kw < m.k[2]; kw++, wi++) {
                            double sum = 0;
                            for (int n = 0; n < g.batch(); n++) {
                                int xc = (n * inC + c) * m.inPlane(), yo = (n * outC + o) * m.outPlane();
                                for (int od = 0; od < m.out[0]; od++) {
                                    int id = m.tap(0, od, kd);
                                    for (int oh = 0; oh < m.out[1]; oh++) {
                                        int ih = m.tap(1, oh, kh);
                                        for (int ow = 0; ow < m.out[2]; ow++) {
                                            int iw = m.tap(2, ow, kw);
                                            if (id < 0 || ih < 0 || iw < 0) continue;
                                            sum += x[xc + (id * m.in[1] + ih) * m.in[2] + iw]
                                                    * dy[yo + (od * m.out[1] + oh) * m.out[2] + ow];
                                        }
                                    }
                                }
                            }
                            dw[wi] = sum;
                        }
                    }
                }
            }
        });
    }
}
