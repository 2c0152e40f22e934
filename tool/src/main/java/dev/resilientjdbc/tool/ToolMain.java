package dev.resilientjdbc.tool;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar resilient-jdbc-tool.jar <command>}: the resilient-jdbc command line. */
@Command(name = "resilient-jdbc", mixinStandardHelpOptions = true, version = "resilient-jdbc tool 0.1",
        description = "Tools for databases used through resilient-jdbc.",
        subcommands = {SqliteCommand.class, CommandLine.HelpCommand.class})
public final class ToolMain {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command, ready to run; tests run it in process. */
    public static CommandLine commandLine() {
        return new CommandLine(new ToolMain()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
