# Reliability (issue 5): crashes, power cuts, printer faults, hostile input, secrets. Included
# from CMakeLists.txt; the figures and the long commands are in docs/RELIABILITY.md. CTest runs
# the short versions only (the whole suite must stay within minutes).
add_library(crash_support STATIC crash_check.c crash_workload.c)
target_link_libraries(crash_support PUBLIC agenda)

# kill -9 at random moments of a booking loop (C API and agendactl), then restart and check.
add_executable(crash_booker crash_booker.c)
target_link_libraries(crash_booker PRIVATE crash_support)
add_test(NAME integration.crash_kill
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/crash_kill_test.py
    $<TARGET_FILE:crash_booker> $<TARGET_FILE:agendactl> --iterations 20)
set_tests_properties(integration.crash_kill PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
  TIMEOUT 300 LABELS reliability)

# Power cuts: a VFS shim throws away what no fsync made durable, at a random write or sync.
add_executable(crash_power_test crash_power_test.c crashvfs.c)
target_link_libraries(crash_power_test PRIVATE crash_support)
add_test(NAME integration.crash_power COMMAND crash_power_test --cuts 40 --seed 1)
set_tests_properties(integration.crash_power PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
  TIMEOUT 300 LABELS reliability)
# The harness can see a loss: with syncs that make nothing durable it must find one.
add_test(NAME integration.crash_power_lying_disk
  COMMAND crash_power_test --cuts 40 --seed 1 --lying-disk)
set_tests_properties(integration.crash_power_lying_disk PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
  TIMEOUT 300 LABELS reliability)

# kill -9 of the kiosk itself while it books on its touch screen (SDL offscreen driver).
if(TARGET agenda-kiosk)
  add_test(NAME integration.crash_kiosk
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/crash_kiosk_test.py
      $<TARGET_FILE:agenda-kiosk> $<TARGET_FILE:agendactl> $<TARGET_FILE:crash_booker>
      --iterations 10)
  set_tests_properties(integration.crash_kiosk PROPERTIES TIMEOUT 300 LABELS reliability
    ENVIRONMENT "TZ=Europe/Rome;LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/e2e/lsan.supp:print_suppressions=0")
endif()

# Printer faults during the booking flow, on an emulated USB printer (umockdev).
if(UMOCKDEV_FOUND AND UMOCKDEV_WRAPPER AND TARGET agenda_printer)
  add_executable(crash_printer_test crash_printer_test.c)
  target_link_libraries(crash_printer_test PRIVATE crash_support agenda_print agenda_printer
    usb_fake_printer)
  add_test(NAME integration.crash_printer
    COMMAND ${UMOCKDEV_WRAPPER} $<TARGET_FILE:crash_printer_test>)
  set_tests_properties(integration.crash_printer PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120
    ENVIRONMENT "TZ=Europe/Rome;ASAN_OPTIONS=verify_asan_link_order=0" LABELS reliability)
endif()

# Hostile input in every field an operator types or a CSV holds; secrets and personal data in
# logs, temporary files and output after an end-to-end run.
foreach(name crash_hostile_input crash_secrets)
  add_test(NAME integration.${name}
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/${name}_test.py $<TARGET_FILE:agendactl>)
  set_tests_properties(integration.${name} PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
    TIMEOUT 300 LABELS reliability)
endforeach()

# valgrind memcheck over a representative subset of the unit tests (not in the sanitizer build:
# ASan and valgrind do not mix). Any error or definite leak fails the test.
find_program(VALGRIND valgrind)
if(VALGRIND AND NOT AGENDA_SANITIZE)
  foreach(name numbers_test calendar_test slip_test escpos_test cp858_test audit_test
      booking_test convocation_test)
    if(TARGET ${name})
      add_test(NAME valgrind.${name}
        COMMAND ${VALGRIND} -q --error-exitcode=99 --leak-check=full
          --errors-for-leak-kinds=definite $<TARGET_FILE:${name}>)
      set_tests_properties(valgrind.${name} PROPERTIES ENVIRONMENT "TZ=Europe/Rome"
        TIMEOUT 300 LABELS valgrind)
    endif()
  endforeach()
endif()
