package org.acejvm.examples.cli;

import java.io.PrintWriter;
import org.acejvm.core.AceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ace} command. Errors a user can cause (missing files, wrong sizes, bad targets) end with one line on
 * standard error and a non-zero exit code, never a stack trace (add {@code --debug} for one).
 */
@Command(name = "ace", mixinStandardHelpOptions = true, version = "ace 0.1.0",
        description = "Adversarial counterfactual visual explanations (ACE) on the JVM.",
        subcommands = {DemoCommand.class, ExplainCommand.class, CalibrateCommand.class, EvaluateCommand.class, LatentDemoCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "  spark-explain  Explain a data set on Apache Spark (module ace-spark; ./ace spark-explain --help)."})
public final class AceCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) {
        // --quiet: the logging backend's INFO lines (ND4J's start-up report among them) are not shown either
        if (java.util.Arrays.asList(args).contains("--quiet")) System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cmd = new CommandLine(new AceCommand());
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (debug) ex.printStackTrace(err);
            err.println("ace: error: " + oneLine(ex));
            err.flush();
            return ex instanceof AceException || ex instanceof IllegalArgumentException ? 1 : 3;
        });
        cmd.setParameterExceptionHandler((ex, args1) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("ace: " + ex.getMessage() + " (see: ace " + ex.getCommandLine().getCommandName() + " --help)");
            err.flush();
            return 2;
        });
        try {
            return cmd.execute(args);
        } catch (OutOfMemoryError e) {
            PrintWriter err = cmd.getErr();
            if (debug) e.printStackTrace(err);
            err.println("ace: error: out of memory (" + oneLine(e) + "); use a smaller --batch-size, or raise "
                    + "the limits in ACE_JAVA_OPTS (see README)");
            err.flush();
            return 4;
        }
    }

    private static String oneLine(Throwable ex) {
        String m = ex.getMessage();
        if (m == null || m.isBlank()) m = ex.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }
}
