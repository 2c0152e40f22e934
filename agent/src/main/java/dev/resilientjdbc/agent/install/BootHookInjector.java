package dev.resilientjdbc.agent.install;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Puts the hook classes on the boot class path, so advice inlined into a driver class sees them
 * whatever loader defined the driver (a web application's loader need not delegate to ours).
 * Must run before anything loads the hook class.
 */
final class BootHookInjector {
    private static final String[] HOOK_CLASSES = {
            "dev/resilientjdbc/agent/boot/ConnectHook.class",
            "dev/resilientjdbc/agent/boot/ConnectHook$Handler.class",
            "dev/resilientjdbc/agent/boot/ConnectHook$1.class",
    };

    private BootHookInjector() {}

    static void inject(Instrumentation inst) throws IOException {
        File jar = Files.createTempFile("resilient-agent-boot", ".jar").toFile();
        jar.deleteOnExit();
        ClassLoader ours = BootHookInjector.class.getClassLoader();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar.toPath()))) {
            for (String name : HOOK_CLASSES) {
                try (InputStream in = ours.getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("the agent jar lacks " + name);
                    }
                    out.putNextEntry(new JarEntry(name));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
    }

}
