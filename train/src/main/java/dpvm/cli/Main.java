package dpvm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dpvm} command line: one launcher, one subcommand per job. */
@Command(name = "dpvm", mixinStandardHelpOptions = true, version = "dpvm 0.1.0",
        description = {"Dual-path video-music retrieval on a from-scratch tensor engine.", "Add --profile to any command for a per-op GPU time table,",
                "--deterministic for the same bits on every GPU run (ordered index gradients, deterministic cuDNN algorithms),",
                "and --sync-debug to name every line that makes the host wait for the GPU."},
        subcommands = {DemoCommand.class, SynthCommand.class, ImportCommand.class, ExtractCommand.class, DevicesCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(withoutGlobalFlags(args)));
    }

    /** The command line with its error reporting: what main runs, and what tests drive. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // a failure is reported as one line naming what is wrong; DPVM_DEBUG=1 shows the stack trace too
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("dpvm " + parsed.subcommands().stream().map(p -> p.commandSpec().name()).reduce((a, b) -> b).orElse("")
                    + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("DPVM_DEBUG") != null) e.printStackTrace(line.getErr());
            return 1;
        });
        return cli;
    }

    /**
     * Flags every subcommand accepts, anywhere on the line, taken out here: {@code --profile} turns on the GPU
     * backend's per-op profiler (its table is printed at exit), {@code --deterministic} requires the same bits on
     * every GPU run ({@code -Ddpvm.cuda.deterministic}, see docs/cuda.md), {@code --sync-debug} prints every host
     * wait for the GPU with its caller ({@code -Ddpvm.cuda.syncDebug=warn}). All are set before any GPU work.
     */
    static String[] withoutGlobalFlags(String[] args) {
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "--profile" -> System.setProperty("dpvm.profile", "true");
                case "--deterministic" -> System.setProperty("dpvm.cuda.deterministic", "true");
                case "--sync-debug" -> System.setProperty("dpvm.cuda.syncDebug", "warn");
                default -> rest.add(a);
            }
        }
        return rest.toArray(new String[0]);
    }
}
