package dev.resilientjdbc.agent.install;

import dev.resilientjdbc.agent.boot.ConnectHook;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Writes the agent's few instructions at the start of one driver method with ASM's core API (a reader and a
 * writer, about 25 classes), the class's other methods copied unchanged. It was ByteBuddy's {@code Advice}
 * until issue 26: the same instructions, but its type descriptions, matchers and advice resolution loaded
 * some 820 classes and took about 400 ms of the first JDBC use. Adds no field or method, so it also
 * serves retransformation of classes already loaded.
 *
 * <p>What is written (the Java each corresponds to is on each method):
 * <ul>
 *   <li>{@code Driver.connect(String, Properties)} returning {@code java.sql.Connection} and
 *       {@code SQLiteDataSource.getConnection()}: ask {@link ConnectHook} (found by name through the system class
 *       loader, so a driver in any loader can reach it); a connection it returns is returned at once, else the
 *       method runs unchanged.</li>
 *   <li>sqlite-jdbc's static methods whose first parameter is a {@code java.sql.Connection}: a resilient
 *       connection there is replaced by the {@code SQLiteConnection} behind it ({@code unwrap}).</li>
 * </ul>
 * Bridge methods are left alone, as ByteBuddy's advice left them (agent/README, known gaps).
 */
final class Weaver {
    private static final String CONNECTION = "java/sql/Connection";
    private static final String SQLITE_CONNECTION = "org/sqlite/SQLiteConnection";
    private static final String CONNECT_DESCRIPTOR = "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;";
    private static final String GET_CONNECTION_DESCRIPTOR = "()Ljava/sql/Connection;";

    private Weaver() {}

    /** The class with the instructions written in, or null when it has no method to write them into. */
    static byte[] weave(String internalName, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        if ((reader.readUnsignedShort(6) & 0xFFFF) < Opcodes.V1_6) {
            // No stack map frames before Java 6; every supported driver is built for 8 or later.
            throw new IllegalStateException("class file version " + reader.readUnsignedShort(6) + " is older than Java 6");
        }
        // The reader given to the writer: methods we do not touch are copied as they are, constant pool included.
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] woven = new int[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                int site = site(internalName, access, name, descriptor);
                if (site < 0) {
                    return mv;
                }
                woven[0]++;
                return site == CONNECTION_TAKER ? new ConnectionTaker(mv) : new HookCall(mv, site);
            }
        }, 0);
        // A class of the watched name without such a method (another version of the driver) stays as it is.
        return woven[0] == 0 ? null : writer.toByteArray();
    }

    private static final int CONNECTION_TAKER = 100;

    /** The {@link ConnectHook} site the method calls, {@link #CONNECTION_TAKER}, or -1 to leave it alone. */
    private static int site(String internalName, int access, String name, String descriptor) {
        if ((access & (Opcodes.ACC_BRIDGE | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return -1;
        }
        boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
        if (Instrumenter.SQLITE_CONNECTION_TAKERS.contains(internalName)) {
            Type[] args = Type.getArgumentTypes(descriptor);
            return isStatic && args.length > 0 && args[0].getSort() == Type.OBJECT && args[0].getInternalName().equals(CONNECTION)
                    ? CONNECTION_TAKER : -1;
        }
        if (isStatic) {
            return -1;
        }
        if (internalName.equals(Instrumenter.SQLITE_DATA_SOURCE)) {
            return name.equals("getConnection") && descriptor.equals(GET_CONNECTION_DESCRIPTOR) ? ConnectHook.DATA_SOURCE : -1;
        }
        return name.equals("connect") && descriptor.equals(CONNECT_DESCRIPTOR) ? ConnectHook.DRIVER_CONNECT : -1;
    }

    /**
     * At the method's start:
     * <pre>{@code
     * Object c = ((Function<Object[], Object>) Class.forName(ConnectHook.CLASS_NAME, true, ClassLoader.getSystemClassLoader())
     *         .getField(ConnectHook.FIELD_NAME).get(null)).apply(new Object[]{site, this, url, info}); // null, null for a data source
     * if (c != null) return (Connection) c;
     * }</pre>
     * An exception from the hook leaves the method as it would have (the hook rethrows the SQLException unchanged).
     */
    private static final class HookCall extends MethodVisitor {
        private static final int STACK = 7;
        private static final int SITE = -2;
        private final int site;

        HookCall(MethodVisitor mv, int site) {
            super(Opcodes.ASM9, mv);
            this.site = site;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            visitLdcInsn(ConnectHook.CLASS_NAME);
            visitInsn(Opcodes.ICONST_1);
            visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/ClassLoader", "getSystemClassLoader", "()Ljava/lang/ClassLoader;", false);
            visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Class", "forName",
                    "(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;", false);
            visitLdcInsn(ConnectHook.FIELD_NAME);
            visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Class", "getField", "(Ljava/lang/String;)Ljava/lang/reflect/Field;", false);
            visitInsn(Opcodes.ACONST_NULL);
            visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/reflect/Field", "get", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
            visitTypeInsn(Opcodes.CHECKCAST, "java/util/function/Function");
            visitInsn(Opcodes.ICONST_4);
            visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
            // No lambdas here: this runs at the first driver class, where a lambda's bootstrap is start-up time.
            boolean connect = site == ConnectHook.DRIVER_CONNECT;
            element(0, SITE);
            element(1, 0);
            element(2, connect ? 1 : -1);
            element(3, connect ? 2 : -1);
            visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/function/Function", "apply", "(Ljava/lang/Object;)Ljava/lang/Object;", true);
            visitInsn(Opcodes.DUP);
            Label unchanged = new Label();
            visitJumpInsn(Opcodes.IFNULL, unchanged);
            visitTypeInsn(Opcodes.CHECKCAST, CONNECTION);
            visitInsn(Opcodes.ARETURN);
            visitLabel(unchanged);
            // The method's own locals, the hook's null on the stack.
            visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[]{"java/lang/Object"});
            visitInsn(Opcodes.POP);
            // A frame the method itself has at its first instruction must not share an offset with ours.
            visitInsn(Opcodes.NOP);
        }

        /** {@code array[index] = } the site (boxed), the parameter in {@code slot}, or null ({@code slot} -1). */
        private void element(int index, int slot) {
            visitInsn(Opcodes.DUP);
            visitInsn(Opcodes.ICONST_0 + index);
            if (slot == SITE) {
                visitIntInsn(Opcodes.BIPUSH, site);
                visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
            } else if (slot < 0) {
                visitInsn(Opcodes.ACONST_NULL);
            } else {
                visitVarInsn(Opcodes.ALOAD, slot);
            }
            visitInsn(Opcodes.AASTORE);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, STACK), maxLocals);
        }
    }

    /**
     * At the method's start ({@code connection} is its first parameter):
     * <pre>{@code
     * if (connection != null && !(connection instanceof SQLiteConnection) && connection.isWrapperFor(SQLiteConnection.class))
     *     connection = connection.unwrap(SQLiteConnection.class);
     * }</pre>
     * Written into sqlite-jdbc's own class, so the {@code SQLiteConnection} it names is the application's.
     */
    private static final class ConnectionTaker extends MethodVisitor {
        private static final int STACK = 2;

        ConnectionTaker(MethodVisitor mv) {
            super(Opcodes.ASM9, mv);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            Type sqliteConnection = Type.getObjectType(SQLITE_CONNECTION);
            Label unchanged = new Label();
            visitVarInsn(Opcodes.ALOAD, 0);
            visitJumpInsn(Opcodes.IFNULL, unchanged);
            visitVarInsn(Opcodes.ALOAD, 0);
            visitTypeInsn(Opcodes.INSTANCEOF, SQLITE_CONNECTION);
            visitJumpInsn(Opcodes.IFNE, unchanged);
            visitVarInsn(Opcodes.ALOAD, 0);
            visitLdcInsn(sqliteConnection);
            visitMethodInsn(Opcodes.INVOKEINTERFACE, CONNECTION, "isWrapperFor", "(Ljava/lang/Class;)Z", true);
            visitJumpInsn(Opcodes.IFEQ, unchanged);
            visitVarInsn(Opcodes.ALOAD, 0);
            visitLdcInsn(sqliteConnection);
            visitMethodInsn(Opcodes.INVOKEINTERFACE, CONNECTION, "unwrap", "(Ljava/lang/Class;)Ljava/lang/Object;", true);
            visitTypeInsn(Opcodes.CHECKCAST, SQLITE_CONNECTION);
            visitVarInsn(Opcodes.ASTORE, 0);
            visitLabel(unchanged);
            visitFrame(Opcodes.F_SAME, 0, null, 0, null);
            visitInsn(Opcodes.NOP);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, STACK), maxLocals);
        }
    }
}
