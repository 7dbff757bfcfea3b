package dpvm.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The devices every op test runs on: always the CPU, plus each GPU named in {@code -Ddpvm.test.devices}
 * (e.g. "cuda:0"), which the parity suite sets on a machine with a GPU.
 */
public final class Backends4Test {
    private Backends4Test() {}

    public static Stream<Device> devices() {
        List<Device> out = new ArrayList<>();
        out.add(Device.CPU);
        String extra = System.getProperty("dpvm.test.devices", "");
        for (String d : extra.split(",")) if (!d.isBlank()) out.add(Device.parse(d));
        return out.stream();
    }
}
