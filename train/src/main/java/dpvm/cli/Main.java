package dpvm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dpvm} command line: one launcher, one subcommand per job. */
@Command(name = "dpvm", mixinStandardHelpOptions = true, version = "dpvm 0.1.0",
        description = "Dual-path video-music retrieval on a from-scratch tensor engine.",
        subcommands = {DemoCommand.class, SynthCommand.class, ImportCommand.class, ExtractCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
