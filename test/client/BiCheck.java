// java -cp /usr/share/java/postgresql.jar BiCheck.java URL USER PASSWORD QUERIES
//
// Reads BI queries through the PostgreSQL JDBC driver, the driver of
// Metabase, Tableau and DBeaver, and checks that every column arrives as a
// type those tools chart.  QUERIES holds "label\0sql\0" pairs (written by
// test/client/drivers.sh); a query whose label starts with "must reject:"
// has a column that is not chartable, and the check must find it.  Prints
// TAP.
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class BiCheck {
    // The chartable PostgreSQL types and the Java class a value of each
    // arrives as.
    static final Map<String, Class<?>> CHARTABLE = Map.of(
        "date", java.sql.Date.class,
        "timestamp", Timestamp.class,
        "timestamptz", Timestamp.class,
        "int4", Integer.class,
        "int8", Long.class,
        "numeric", BigDecimal.class,
        "float8", Double.class,
        "text", String.class);

    static int n = 0;
    static int failed = 0;

    public static void main(String[] args) throws Exception {
        String[] parts = new String(Files.readAllBytes(Paths.get(args[3])), StandardCharsets.UTF_8).split("\0");
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2])) {
            for (int i = 0; i + 1 < parts.length; i += 2) {
                check(c, parts[i], parts[i + 1]);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    static void check(Connection c, String label, String sql) {
        boolean mustReject = label.startsWith("must reject:");
        List<String> problems = new ArrayList<>();
        long rows = 0;
        int columns = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            columns = md.getColumnCount();
            for (int i = 1; i <= columns; i++) {
                String type = md.getColumnTypeName(i);
                if (!CHARTABLE.containsKey(type)) {
                    problems.add(md.getColumnLabel(i) + " is " + type + " (java.sql.Types " + md.getColumnType(i) + ")");
                }
            }
            while (rs.next()) {
                rows++;
                for (int i = 1; i <= columns; i++) {
                    Object v = rs.getObject(i);
                    Class<?> want = CHARTABLE.get(md.getColumnTypeName(i));
                    if (v != null && want != null && !want.isInstance(v)) {
                        problems.add(md.getColumnLabel(i) + " row " + rows + " arrives as " + v.getClass().getName());
                    }
                }
            }
            if (rows == 0) {
                problems.add("no rows");
            }
        } catch (SQLException e) {
            problems.add("SQLSTATE " + e.getSQLState() + ": " + e.getMessage());
        }
        boolean ok = mustReject ? !problems.isEmpty() : problems.isEmpty();
        n++;
        if (!ok) {
            failed++;
        }
        System.out.println((ok ? "ok " : "not ok ") + n + " - jdbc: " + label + " (" + columns + " columns, " + rows + " rows)");
        if (!ok || mustReject) {
            problems.stream().limit(10).forEach(p -> System.out.println("# " + p));
        }
    }
}
