package dev.resilientjdbc.proxy;


import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The proxy class for one real driver class: the JDBC interface, every public vendor interface the
 * real class implements (so casts like {@code (PGConnection) conn} keep working) and our marker.
 * Computed once per real class; creating a proxy is then one constructor call.
 */
final class ProxyShape {
    private static final ClassValue<ProxyShape> SHAPES = new ClassValue<>() {
        @Override
        protected ProxyShape computeValue(Class<?> type) {
            COMPUTED.add(type);
            return build(type);
        }
    };
    // The real classes a shape was computed for, held weakly. A ClassValue entry lives in the real class, which may
    // sit in a parent class loader (a container's lib), and would keep ours reachable after an undeploy:
    // ResilientDriver.deregister() removes them. Touched once per real class, never on the call path.
    private static final Set<Class<?>> COMPUTED = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    /** Drops every shape, so that no real driver class refers to this class loader any more. */
    static void forgetAll() {
        List<Class<?>> classes;
        synchronized (COMPUTED) {
            classes = new ArrayList<>(COMPUTED);
            COMPUTED.clear();
        }
        classes.forEach(SHAPES::remove);
    }

    // For result sets whose interfaces one of our DirectResultSet classes has exactly: which one (constructor and
    // create are then null); NO_DIRECT otherwise. A number, not a lambda: each lambda is one more class to load.
    private static final int NO_DIRECT = 0, DIRECT = 1, SQLITE = 2, PGJDBC = 3;
    private final int direct;
    private final Constructor<?> constructor;
    // The same constructor as a method handle of type (InvocationHandler)Object: Constructor.newInstance takes
    // varargs, an Object[] per proxy made (one per pgjdbc result set, per connection borrowed). Null when the
    // proxy class is not publicly accessible; then the constructor is used.
    private final MethodHandle create;
    private final List<Class<?>> interfaces;

    private ProxyShape(Constructor<?> constructor, List<Class<?>> interfaces) {
        this.direct = NO_DIRECT;
        this.constructor = constructor;
        this.create = handle(constructor);
        this.interfaces = interfaces;
    }

    private ProxyShape(int direct, List<Class<?>> interfaces) {
        this.direct = direct;
        this.constructor = null;
        this.create = null;
        this.interfaces = interfaces;
    }

    private static MethodHandle handle(Constructor<?> constructor) {
        try {
            return MethodHandles.publicLookup().unreflectConstructor(constructor)
                    .asType(MethodType.methodType(Object.class, InvocationHandler.class));
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    static ProxyShape of(Class<?> realClass) {
        return SHAPES.get(realClass);
    }

    List<Class<?>> interfaces() {
        return interfaces;
    }

    Object newProxy(InvocationHandler handler) {
        switch (direct) {
            case DIRECT:
                return new DirectResultSet((ResultSetHandler) handler);
            case SQLITE:
                return new SqliteDirectResultSet((ResultSetHandler) handler);
            case PGJDBC:
                return new PgDirectResultSet((ResultSetHandler) handler);
            default:
                break;
        }
        try {
            return create != null ? (Object) create.invokeExact(handler) : constructor.newInstance(handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot instantiate proxy class " + constructor.getDeclaringClass(), e);
        }
    }

    private static ProxyShape build(Class<?> realClass) {
        Set<Class<?>> all = new LinkedHashSet<>();
        for (Class<?> c = realClass; c != null; c = c.getSuperclass()) {
            collect(c, all);
        }
        List<Class<?>> usable = new ArrayList<>();
        for (Class<?> i : all) {
            // Proxy cannot implement sealed interfaces, nor non-public ones of another package.
            if (Modifier.isPublic(i.getModifiers()) && !i.isSealed() && !i.isHidden()) {
                usable.add(i);
            }
        }
        ProxyShape direct = direct(usable);
        if (direct != null) {
            return direct;
        }
        // The real class's loader first (it sees the vendor interfaces), then ours.
        for (ClassLoader loader : loaders(realClass)) {
            if (!visibleFrom(ResilientProxy.class, loader)) {
                continue;
            }
            List<Class<?>> visible = new ArrayList<>();
            for (Class<?> i : usable) {
                if (visibleFrom(i, loader)) {
                    visible.add(i);
                }
            }
            visible.add(ResilientProxy.class);
            ProxyShape shape = tryBuild(loader, visible);
            if (shape != null) {
                return shape;
            }
        }
        throw new IllegalStateException("no class loader can define a proxy for " + realClass.getName());
    }

    /**
     * The shape of a result set whose public interfaces are exactly those of one of our DirectResultSet classes (the
     * same Class objects: a driver in another class loader than ours gets a Proxy), or null.
     */
    private static ProxyShape direct(List<Class<?>> usable) {
        if (!usable.contains(java.sql.ResultSet.class)) {
            return null;
        }
        Set<Class<?>> real = new java.util.HashSet<>(usable);
        real.add(ResilientProxy.class);
        for (int kind = DIRECT; kind <= PGJDBC; kind++) {
            if (real.equals(interfacesOf(kind))) {
                return new ProxyShape(kind, List.copyOf(real));
            }
        }
        return null;
    }

    /** Every interface of the class {@code type} gives, or none when it cannot be loaded (its driver is not visible here). */
    private static Set<Class<?>> interfacesOf(int kind) {
        Set<Class<?>> all = new LinkedHashSet<>();
        try {
            Class<?> type = kind == DIRECT ? DirectResultSet.class : kind == SQLITE ? SqliteDirectResultSet.class : PgDirectResultSet.class;
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                collect(c, all);
            }
        } catch (LinkageError e) {
            return Set.of();
        }
        return all;
    }

    private static ProxyShape tryBuild(ClassLoader loader, List<Class<?>> interfaces) {
        try {
            Object probe = Proxy.newProxyInstance(loader, interfaces.toArray(new Class<?>[0]), (p, m, a) -> null);
            Constructor<?> ctor = probe.getClass().getConstructor(InvocationHandler.class);
            return new ProxyShape(ctor, List.copyOf(interfaces));
        } catch (IllegalArgumentException | NoSuchMethodException e) {
            // Conflicting vendor interfaces (same method, different return type): keep only the JDBC ones.
            List<Class<?>> jdbcOnly = new ArrayList<>();
            for (Class<?> i : interfaces) {
                if (i.getName().startsWith("java.") || i == ResilientProxy.class) {
                    jdbcOnly.add(i);
                }
            }
            return jdbcOnly.size() == interfaces.size() ? null : tryBuild(loader, jdbcOnly);
        }
    }

    private static void collect(Class<?> c, Set<Class<?>> out) {
        for (Class<?> i : c.getInterfaces()) {
            if (out.add(i)) {
                collect(i, out);
            }
        }
    }

    private static List<ClassLoader> loaders(Class<?> realClass) {
        List<ClassLoader> loaders = new ArrayList<>(2);
        ClassLoader real = realClass.getClassLoader();
        ClassLoader ours = ProxyShape.class.getClassLoader();
        loaders.add(real == null ? ours : real);
        if (ours != real) {
            loaders.add(ours);
        }
        return loaders;
    }

    private static boolean visibleFrom(Class<?> type, ClassLoader loader) {
        try {
            return Class.forName(type.getName(), false, loader) == type;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
