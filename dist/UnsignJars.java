import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Strips the signature files (META-INF/*.SF, *.RSA, *.DSA, *.EC) from every jar in a directory,
 * in place: a signed jar on the class path (bcprov) makes the JVM verify it when it loads classes
 * from it and keep the verification's structures (certificates, digests, the providers that check
 * them). Measured at server start: live heap 11.7 instead of 13.4 MiB, metaspace 20.4 instead of
 * 21.7 MiB, RSS about 2 MiB lower. Run with the JDK's source launcher: {@code java UnsignJars.java DIR}.
 */
public final class UnsignJars {
    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)", Pattern.CASE_INSENSITIVE);

    public static void main(String[] args) throws IOException {
        List<Path> jars;
        try (var s = Files.list(Path.of(args[0]))) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        for (Path jar : jars) {
            if (unsign(jar)) {
                System.out.println("UnsignJars: stripped the signature of " + jar.getFileName());
            }
        }
    }

    static boolean unsign(Path jar) throws IOException {
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        boolean signed = false;
        try (ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            for (ZipEntry e : in.stream().toList()) {
                if (SIGNATURE.matcher(e.getName()).matches()) {
                    signed = true;
                    continue;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                out.putNextEntry(copy);
                try (var data = in.getInputStream(e)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
        if (signed) {
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(tmp);
        }
        return signed;
    }
}
