package dpvm.nativetests;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.CudaLibraries;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.PackageNameFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.util.ArrayList;
import java.util.List;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The CPU-vs-GPU parity suite: every op test of the tensor module (each runs on the devices of
 * {@code -Ddpvm.test.devices}, set here to cuda:0 unless given) plus the GPU-only checks in {@link CudaChecks},
 * stream ordering in {@link StreamChecks}, bad-index reports in {@link BadIndexChecks}, whole small backbones in {@link BackboneParity}, device memory over thousands of steps in {@link MemoryChecks},
 * every kernel of the kernel lab in {@link KernelLabChecks} and run-to-run bit equality in {@link DeterminismChecks},
 * with a one-line summary. Without a usable GPU it is skipped and says why.
 */
class ParitySuite {
    @Test
    void tensorOpTestsAgreeOnTheGpu() {
        String reason = CudaDevice.unavailableReason(0);
        if (reason != null) System.out.println("ParitySuite skipped: " + reason);
        Assumptions.assumeTrue(reason == null, reason);
        String devices = System.getProperty("dpvm.test.devices", "");
        if (devices.isBlank()) System.setProperty("dpvm.test.devices", devices = "cuda:0");

        // -Ddpvm.parity.classes=ReductionAndMatmulTest,CudaChecks narrows the run while debugging one area (names of
        // this package's classes or of the tensor module's op tests)
        String only = System.getProperty("dpvm.parity.classes", "");
        List<DiscoverySelector> selectors = new ArrayList<>();
        if (only.isBlank()) {
            selectors.add(selectPackage("dpvm.tensor"));
            selectors.add(selectClass(CudaChecks.class));
            selectors.add(selectClass(StreamChecks.class));
            selectors.add(selectClass(BadIndexChecks.class));
            selectors.add(selectClass(BackboneParity.class));
            selectors.add(selectClass(KernelLabChecks.class));
            selectors.add(selectClass(MemoryChecks.class));
            selectors.add(selectClass(DeterminismChecks.class));
        } else {
            for (String c : only.split(",")) selectors.add(selectClass(qualified(c.trim())));
        }
        // the CPU backend's own internals (dpvm.tensor.cpu) have nothing to compare on a GPU
        LauncherDiscoveryRequest req = request().selectors(selectors).filters(PackageNameFilter.excludePackageNames("dpvm.tensor.cpu")).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        List<String> failures = new ArrayList<>(), skips = new ArrayList<>();
        int[] opTests = {0};
        TestExecutionListener collect = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() && id.getUniqueId().contains("[class:dpvm.tensor.")) opTests[0]++;
                if (!id.isTest() || result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) return;
                String why = result.getThrowable().map(t -> String.valueOf(t.getMessage()).lines().findFirst().orElse("")).orElse("");
                (result.getStatus() == TestExecutionResult.Status.FAILED ? failures : skips).add(name(id) + ": " + why);
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                skips.add(name(id) + ": " + reason);
            }
        };
        long t0 = System.nanoTime();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(req, summary, collect);
        TestExecutionSummary s = summary.getSummary();
        System.out.printf("PARITY %s: %d tests, %d passed, %d failed, %d skipped, %.1f s on %s%n", devices,
                s.getTestsFoundCount(), s.getTestsSucceededCount(), s.getTestsFailedCount(), s.getTestsSkippedCount() + s.getTestsAbortedCount(),
                (System.nanoTime() - t0) / 1e9, CudaDevice.get(0).name());
        System.out.println("LIBRARIES " + CudaLibraries.report());
        failures.forEach(f -> System.out.println("  FAILED " + f));
        skips.forEach(f -> System.out.println("  SKIPPED " + f));
        // a runtime that cannot scan jars (no jdk.zipfs) finds no op tests and would otherwise pass quietly
        if (only.isBlank() && opTests[0] == 0) throw new AssertionError("no tensor op tests were found on the class path: the parity run checked nothing");
        if (s.getTotalFailureCount() > 0) throw new AssertionError(s.getTotalFailureCount() + " parity failures:\n" + String.join("\n", failures));
    }

    /** A test's name and class, as the summary lists it. */
    private static String name(TestIdentifier id) {
        return id.getLegacyReportingName() + " [" + id.getUniqueId().replaceAll(".*\\[class:([^\\]]*)\\].*", "$1") + "]";
    }

    /** A short name from -Ddpvm.parity.classes: a GPU-only class of this package if there is one, else an op test. */
    static String qualified(String name) {
        if (name.contains(".")) return name;
        try {
            return Class.forName(ParitySuite.class.getPackageName() + "." + name, false, ParitySuite.class.getClassLoader()).getName();
        } catch (ClassNotFoundException e) {
            return "dpvm.tensor." + name;
        }
    }
}
