package io.portgate.api;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The library's exported API as text, one line per public type and per public or protected member, sorted: what the
 * compatibility baseline records and {@link ApiBaselineTest} compares. Rendered by reflection over the compiled
 * classes of the exported packages.
 */
final class ExportedApi
{
    /** The packages the module exports. */
    static final List<String> PACKAGES = List.of("io.portgate", "io.portgate.config", "io.portgate.spi");

    private ExportedApi()
    {
    }

    /** Every public type of the exported packages, nested public types included, by name. */
    static List<Class<?>> types(final Path classes) throws IOException, ClassNotFoundException
    {
        final List<Class<?>> types = new ArrayList<>();
        for (final String pkg : PACKAGES)
        {
            final Path dir = classes.resolve(pkg.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir))
            {
                for (final Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList())
                {
                    final String simple = file.getFileName().toString().replace(".class", "");
                    if (simple.equals("package-info") || simple.equals("module-info"))
                    {
                        continue;
                    }
                    final Class<?> type = Class.forName(pkg + "." + simple, false,
                        ExportedApi.class.getClassLoader());
                    if (isVisible(type))
                    {
                        types.add(type);
                    }
                }
            }
        }
        return types;
    }

    private static boolean isVisible(final Class<?> type)
    {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass())
        {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic())
            {
                return false;
            }
        }
        return true;
    }

    /** The API as sorted lines. */
    static Set<String> render(final List<Class<?>> types)
    {
        final Set<String> lines = new TreeSet<>();
        for (final Class<?> type : types)
        {
            lines.add(header(type));
            for (final Constructor<?> c : type.getDeclaredConstructors())
            {
                if (visible(c) && !c.isSynthetic())
                {
                    lines.add(type.getName() + " :: " + c.toGenericString());
                }
            }
            for (final Method m : type.getDeclaredMethods())
            {
                if (visible(m) && !m.isSynthetic() && !m.isBridge())
                {
                    lines.add(type.getName() + " :: " + m.toGenericString());
                }
            }
            for (final Field f : type.getDeclaredFields())
            {
                if (visible(f) && !f.isSynthetic())
                {
                    lines.add(type.getName() + " :: " + f.toGenericString());
                }
            }
        }
        return lines;
    }

    /** Every type a public signature names that is neither the JDK's nor of an exported package. */
    static Set<String> foreignTypes(final List<Class<?>> types)
    {
        final Set<String> foreign = new TreeSet<>();
        for (final Class<?> type : types)
        {
            final List<Type> used = new ArrayList<>();
            used.add(type.getGenericSuperclass());
            used.addAll(List.of(type.getGenericInterfaces()));
            for (final Constructor<?> c : type.getDeclaredConstructors())
            {
                if (visible(c))
                {
                    used.addAll(List.of(c.getGenericParameterTypes()));
                    used.addAll(List.of(c.getGenericExceptionTypes()));
                }
            }
            for (final Method m : type.getDeclaredMethods())
            {
                if (visible(m) && !m.isSynthetic())
                {
                    used.add(m.getGenericReturnType());
                    used.addAll(List.of(m.getGenericParameterTypes()));
                    used.addAll(List.of(m.getGenericExceptionTypes()));
                }
            }
            for (final Field f : type.getDeclaredFields())
            {
                if (visible(f))
                {
                    used.add(f.getGenericType());
                }
            }
            for (final Type t : used)
            {
                collectForeign(type, t, foreign, new java.util.HashSet<>());
            }
        }
        return foreign;
    }

    private static void collectForeign(final Class<?> owner, final Type type, final Set<String> foreign,
        final Set<Type> seen)
    {
        if (type == null || !seen.add(type))
        {
            return;
        }
        switch (type)
        {
            case Class<?> c when c.isArray() -> collectForeign(owner, c.getComponentType(), foreign, seen);
            case Class<?> c ->
            {
                final String pkg = c.getPackageName();
                if (!c.isPrimitive() && !pkg.startsWith("java.") && !PACKAGES.contains(pkg))
                {
                    foreign.add(owner.getName() + " uses " + c.getName());
                }
                else if (!c.isPrimitive() && PACKAGES.contains(pkg) && !isVisible(c))
                {
                    foreign.add(owner.getName() + " uses " + c.getName() + ", which is not public");
                }
            }
            case ParameterizedType p ->
            {
                collectForeign(owner, p.getRawType(), foreign, seen);
                for (final Type argument : p.getActualTypeArguments())
                {
                    collectForeign(owner, argument, foreign, seen);
                }
            }
            case WildcardType w ->
            {
                for (final Type bound : w.getUpperBounds())
                {
                    collectForeign(owner, bound, foreign, seen);
                }
                for (final Type bound : w.getLowerBounds())
                {
                    collectForeign(owner, bound, foreign, seen);
                }
            }
            case GenericArrayType g -> collectForeign(owner, g.getGenericComponentType(), foreign, seen);
            case TypeVariable<?> v ->
            {
                for (final Type bound : v.getBounds())
                {
                    collectForeign(owner, bound, foreign, seen);
                }
            }
            default -> foreign.add(owner.getName() + " uses " + type);
        }
    }

    private static boolean visible(final Member member)
    {
        return Modifier.isPublic(member.getModifiers()) || Modifier.isProtected(member.getModifiers()) &&
            !Modifier.isFinal(member.getDeclaringClass().getModifiers());
    }

    private static String header(final Class<?> type)
    {
        final StringBuilder line = new StringBuilder(type.getName()).append(" :: ");
        final int modifiers = type.getModifiers() & ~(Modifier.INTERFACE | Modifier.STATIC);
        line.append(Modifier.toString(modifiers & (type.isInterface() ? ~Modifier.ABSTRACT : ~0)));
        line.append(type.isRecord() ? " record" : type.isEnum() ? " enum" : type.isAnnotation() ? " @interface" :
            type.isInterface() ? " interface" : " class");
        if (type.isSealed())
        {
            line.append(" sealed");
        }
        if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum() &&
            !type.isRecord())
        {
            line.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        for (final Type iface : type.getGenericInterfaces())
        {
            line.append(" implements ").append(iface.getTypeName());
        }
        return line.toString();
    }
}
